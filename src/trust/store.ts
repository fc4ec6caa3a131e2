// Storage of trust relationships (hydra_oauth2_trusted_jwt_bearer_issuer). The store only sees
// the public key sealed (persistence/sql/trust-store.ts); trust/service.ts seals and opens it.
import type { Page } from '../client/store.js'
import type { TrustRelationship } from './model.js'

/** A relationship as stored: the public JWK sealed with `Aead.seal(json, 'trust-jwk')`. */
export interface StoredTrust extends Omit<TrustRelationship, 'publicKey'> {
  keyData: string
}

export interface TrustListQuery {
  pageSize: number
  /** Keyset cursor: the last id of the previous page. */
  after?: string
  issuer?: string
}

export interface TrustStore {
  /** Throws `conflict` when the same issuer, subject and key id are trusted already. */
  create(t: StoredTrust): Promise<void>
  get(id: string): Promise<StoredTrust | undefined>
  /** Returns false for an unknown id. */
  delete(id: string): Promise<boolean>
  list(q: TrustListQuery): Promise<Page<StoredTrust>>
  /**
   * Relationships of `issuer` that have not expired at `now` and allow `subject` (its own
   * subject, or any); with `subject` undefined, every unexpired relationship of the issuer.
   */
  findActive(issuer: string, subject: string | undefined, now: Date): Promise<StoredTrust[]>
}
