// The shape every grant type has. token.ts authenticates the client, checks it may use the
// grant, and hands over only the parameters the grant declared.
import type { Client } from '../../client/model.js'
import type { Config } from '../../config/types.js'
import type { AuthMethod } from '../client-auth.js'
import type { PkcePolicy } from '../pkce.js'
import type { ScopeMatcher } from '../scopes.js'
import type { IdTokens } from '../tokens/id-token.js'
import type { OpaqueTokens } from '../tokens/opaque-hmac.js'
import type { AutocommitStores, Storage } from '../../unit-of-work.js'
import type { TokenHook } from '../token-hook.js'
import type { DeviceCodes } from '../device-code.js'
import type { TrustedJwtVerifier } from '../../trust/model.js'
import type { AccessTokenResponse, TokenService } from '../tokens/service.js'

export interface GrantRequest {
  client: Client
  /** How the client authenticated; 'none' for public clients. */
  authMethod: AuthMethod
  /** The `scope` parameter, split (RFC 6749 §3.3). */
  scope: string[]
  /** The `audience` parameter(s), split. */
  audience: string[]
  /** grant_type and the declared parameters that were sent, single-valued; never credentials. */
  form: Readonly<Record<string, string>>
}

export interface GrantContext {
  tokens: TokenService
  scopes: ScopeMatcher
  config: Pick<Readonly<Config>, 'ttl' | 'oauth2'>
  /** Reads outside a transaction; a grant's writes go through one unit of work, so they commit together. */
  storage: Storage
  /** Absent without a key ring; then no ID token can be issued. */
  idTokens: IdTokens | undefined
  /** Checks presented authorization codes. */
  opaque: OpaqueTokens
  pkce: PkcePolicy
  /** Called by every grant once, right before it issues tokens (oauth2.token_hook). */
  tokenHook: TokenHook
  /** JWTs from issuers trusted through /admin/trust/grants/jwt-bearer/issuers (jwt-bearer, token exchange). */
  trustedJwts?: TrustedJwtVerifier
  /** RFC 8628 device authorizations; without them the device_code grant refuses every code. */
  device?: { store: AutocommitStores['device']; codes: DeviceCodes }
  now: () => Date
}

export interface Grant {
  /** The grant_type value. */
  type: string
  /** Parameters the grant reads besides grant_type; anything else is dropped before handle(). */
  parameters: readonly string[]
  handle(req: GrantRequest, ctx: GrantContext): Promise<AccessTokenResponse>
}
