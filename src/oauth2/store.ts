// What the protocol core needs from storage for issued tokens. Only token signatures are ever
// stored, and sessions only sealed; the SQL implementation is persistence/sql/token-store.ts.
import type { ActClaim } from './token-exchange/types.js'
import type { OidcSession } from './tokens/oidc-session.js'

/** Data the token carries besides the columns: sealed at rest (Hydra's session_data). */
export interface TokenSession {
  /** Extra claims (Hydra's `ext`): shown by introspection and in JWT access tokens. */
  ext: Record<string, unknown>
  /** Key id that signed a JWT access token. */
  kid?: string
  /** Tokens of a code grant: what a refreshed ID token and /userinfo are made from. */
  oidc?: OidcSession
  /** RFC 8693 §4.1: who acts for the subject (tokens issued by a token exchange). */
  act?: ActClaim
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to. */
  cnf?: { jkt: string }
}

/** One row of hydra_oauth2_access or hydra_oauth2_refresh. */
export interface TokenRecord {
  /** HMAC signature of an opaque token, or the digest of a JWT's signature; never the token. */
  signature: string
  /** Shared by every token one grant issued, so they can be revoked together. */
  requestId: string
  requestedAt: Date
  clientId: string
  requestedScope: string[]
  grantedScope: string[]
  requestedAudience: string[]
  grantedAudience: string[]
  /** The token request's parameters without any credential. */
  form: Record<string, string>
  session: TokenSession
  subject: string
  active: boolean
  challengeId: string | null
  /** null: never expires (refresh tokens with ttl.refresh_token = -1). */
  expiresAt: Date | null
}

/** A token record as stored: the session sealed (crypto/aead.ts, purpose "session"). */
export interface StoredToken extends Omit<TokenRecord, 'session'> {
  sessionData: string
}

export type TokenKind = 'access' | 'refresh'

export interface TokenStore {
  create(kind: TokenKind, record: StoredToken): Promise<void>
  /**
   * The stored token, read in one statement with its client: undefined when unknown or when its
   * client no longer exists (a token of a deleted client is worth nothing anywhere).
   */
  get(kind: TokenKind, signature: string): Promise<StoredToken | undefined>
  /**
   * Revokes everything one grant issued, as Hydra does: its access tokens are deleted, its
   * refresh tokens deactivated (so that a later reuse can still be recognised).
   */
  revokeRequest(requestId: string): Promise<void>
  /** Deletes every access and refresh token of a client; returns how many rows went. */
  deleteClientTokens(clientId: string): Promise<number>
  /**
   * Records a used client-assertion `jti` (by its digest) until `expiresAt`. Returns false when
   * the digest is already recorded and has not expired: the assertion is a replay.
   */
  useJti(signature: string, expiresAt: Date, now: Date): Promise<boolean>
  /**
   * Consumes a refresh token with a conditional update; true only for the caller that may use
   * it. Without `grace` it is deactivated on first use. With `grace` it stays usable until
   * `grace.until`, for at most `grace.reuseCount` further uses (0: any number).
   */
  useRefresh(signature: string, now: Date, grace?: RefreshGrace): Promise<boolean>
  /**
   * Whether a refresh token has been used before. A token used under a grace period stays
   * active with its expiry cut to the grace's end, so past that end this tells a reuse (a leak)
   * from a token that simply expired unused.
   */
  refreshUsed(signature: string): Promise<boolean>
}

/** oauth2.grant.refresh_token.rotation_grace_period / rotation_grace_reuse_count, applied. */
export interface RefreshGrace {
  until: Date
  reuseCount: number
}
