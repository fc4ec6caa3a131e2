// Authorization codes as the token endpoint will need them (RFC 6749 §4.1.3): stored by the HMAC
// signature of the code, never the code; single use; with the PKCE challenge (RFC 7636 §4.4) and
// what the login and consent decided. The SQL side is persistence/sql/code-store.ts.
import type { PkceChallenge } from './pkce.js'

/** What the code carries besides the columns: sealed at rest (Hydra's session_data). */
export interface AuthorizeCodeSession {
  /** Consent `session.access_token`: the `ext` claims of the access and refresh tokens. */
  accessTokenExtra: Record<string, unknown>
  /** Consent `session.id_token`: extra claims of the ID token. */
  idTokenExtra: Record<string, unknown>
  /** When the end-user authenticated, seconds since the epoch (ID token `auth_time`). */
  authTime: number
  /** When the authorization request arrived, seconds since the epoch. */
  requestedAt: number
  acr: string
  amr: string[]
  /** The login session id (ID token `sid`, OpenID Connect Front-/Back-Channel Logout). */
  sid: string
  /** The `nonce` of the authorization request, for the ID token ('' when none). */
  nonce: string
  /** Set by the login app for pairwise subjects; '' otherwise. */
  forcedSubjectIdentifier: string
  /** The `claims` request parameter as sent ('' when none). */
  claims: string
}

export interface AuthorizeCodeRecord {
  /** HMAC signature of the code (`ory_ac_<key>.<signature>`): the lookup key. */
  signature: string
  /** Shared with every token issued from this code, so reuse can revoke them together. */
  requestId: string
  requestedAt: Date
  clientId: string
  requestedScope: string[]
  grantedScope: string[]
  requestedAudience: string[]
  grantedAudience: string[]
  /** Authorization request parameters the token request is checked against: `redirect_uri` when sent. */
  form: Record<string, string>
  session: AuthorizeCodeSession
  subject: string
  /** False once exchanged (or revoked). */
  active: boolean
  /** The consent challenge id the code came from (Hydra's challenge_id). */
  challengeId: string
  expiresAt: Date
  /** Undefined when the authorization request used no PKCE. */
  pkce: PkceChallenge | undefined
}

export interface AuthorizeCodeStore {
  create(record: AuthorizeCodeRecord): Promise<void>
  /** Inactive codes are returned too: a reused code must be recognised (RFC 6749 §4.1.2). */
  get(signature: string): Promise<AuthorizeCodeRecord | undefined>
  /**
   * Marks the code used with a conditional update; true only for the one caller that flipped it
   * from active, so two concurrent exchanges cannot both succeed.
   */
  invalidate(signature: string): Promise<boolean>
}
