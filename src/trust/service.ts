// The admin operations on trust relationships (/admin/trust/grants/jwt-bearer/issuers) and their
// wire form. The public JWK is stored sealed in the relationship's own row (purpose 'trust-jwk'),
// so a relationship and its key are created and deleted together.
import { randomUUID } from 'node:crypto'
import type { Page } from '../client/store.js'
import type { Aead } from '../crypto/aead.js'
import { notFound } from '../oauth2/errors.js'
import type { TrustRelationship } from './model.js'
import type { StoredTrust, TrustStore } from './store.js'
import { parseTrustRequest, type TrustBody } from './validate.js'

export const TRUST_KEY_PURPOSE = 'trust-jwk'

/** The relationship with its public key opened. */
export function openTrust(aead: Aead, s: StoredTrust): TrustRelationship {
  const publicKey = JSON.parse(aead.open(s.keyData, TRUST_KEY_PURPOSE).toString('utf8')) as Record<string, unknown>
  const { keyData: _sealed, ...rest } = s
  return { ...rest, publicKey }
}

const rfc3339 = (d: Date): string => d.toISOString().replace('.000Z', 'Z')

/** Hydra's trustedOAuth2JwtGrantIssuer. */
export function presentTrust(t: StoredTrust | TrustRelationship): Record<string, unknown> {
  return {
    id: t.id,
    issuer: t.issuer,
    subject: t.subject,
    allow_any_subject: t.allowAnySubject,
    scope: [...t.scope],
    public_key: { set: t.keySet, kid: t.keyId },
    expires_at: rfc3339(t.expiresAt),
    created_at: rfc3339(t.createdAt),
  }
}

export interface TrustServiceDeps {
  store: TrustStore
  aead: Aead
  now?: () => Date
}

export interface TrustListRequest {
  pageSize: number
  after?: string
  issuer?: string
}

export class TrustService {
  private readonly now: () => Date

  constructor(private readonly deps: TrustServiceDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  async create(body: TrustBody | null | undefined): Promise<StoredTrust> {
    const now = this.now()
    const req = await parseTrustRequest(body, now)
    const stored: StoredTrust = {
      id: randomUUID(),
      issuer: req.issuer,
      subject: req.subject,
      allowAnySubject: req.allowAnySubject,
      scope: req.scope,
      // Hydra reports the key in a set named after the issuer.
      keySet: req.issuer,
      keyId: req.jwk.kid,
      keyData: this.deps.aead.seal(JSON.stringify(req.jwk), TRUST_KEY_PURPOSE),
      // Whole seconds, as the wire shows them.
      createdAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
      expiresAt: req.expiresAt,
    }
    await this.deps.store.create(stored)
    return stored
  }

  async get(id: string): Promise<StoredTrust> {
    const found = await this.deps.store.get(id)
    if (!found) throw notFound(`No trust relationship with id "${id}" exists.`)
    return found
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.store.delete(id))) throw notFound(`No trust relationship with id "${id}" exists.`)
  }

  list(q: TrustListRequest): Promise<Page<StoredTrust>> {
    return this.deps.store.list(q)
  }
}
