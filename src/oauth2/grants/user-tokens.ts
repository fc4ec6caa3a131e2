// What the authorization_code and refresh_token grants issue on behalf of an end-user: an access
// token, a refresh token when the grant allows refreshing, and an ID token when `openid` was
// granted. Shared so both grants apply the same rules.
import type { Client } from '../../client/model.js'
import type { TokenService, AccessTokenResponse } from '../tokens/service.js'
import type { IdTokens } from '../tokens/id-token.js'
import type { OidcSession } from '../tokens/oidc-session.js'
import { serverError } from '../errors.js'

// fosite's default RefreshTokenScopes: either one makes a grant refreshable.
const REFRESH_SCOPES = ['offline_access', 'offline']

/** fosite's canIssueRefreshToken: an offline scope was granted and the client may refresh. */
export function mayRefresh(client: Pick<Client, 'grant_types'>, grantedScope: readonly string[]): boolean {
  return grantedScope.some((s) => REFRESH_SCOPES.includes(s)) && client.grant_types.includes('refresh_token')
}

export interface UserTokenGrant {
  client: Client
  subject: string
  /** The family every token of the grant shares (the consent challenge id for a code). */
  requestId: string
  challengeId: string | null
  requestedScope: readonly string[]
  /** Scope of the new access token (possibly narrowed on refresh). */
  accessScope: readonly string[]
  /** Scope of the new refresh token: RFC 6749 §6 keeps it identical to the original grant. */
  refreshScope: readonly string[]
  requestedAudience: readonly string[]
  grantedAudience: readonly string[]
  form: Readonly<Record<string, string>>
  ext: Record<string, unknown>
  oidc: OidcSession | undefined
  /** Milliseconds; refresh null = never expires. */
  lifespans: { access: number; refresh: number | null }
  issueRefresh: boolean
}

/** Stores the access (and refresh) token through `tokens`, e.g. a transaction-bound service. */
export async function issueUserTokens(tokens: TokenService, g: UserTokenGrant): Promise<AccessTokenResponse> {
  const common = {
    client: g.client,
    subject: g.subject,
    requestId: g.requestId,
    ...(g.challengeId !== null ? { challengeId: g.challengeId } : {}),
    requestedScope: g.requestedScope,
    requestedAudience: g.requestedAudience,
    grantedAudience: g.grantedAudience,
    form: g.form,
    ext: g.ext,
    ...(g.oidc ? { oidc: g.oidc } : {}),
  }
  const response = await tokens.issueAccess({ ...common, grantedScope: g.accessScope, lifespan: g.lifespans.access })
  if (g.issueRefresh) {
    response.refresh_token = await tokens.issueRefresh({ ...common, grantedScope: g.refreshScope, lifespan: g.lifespans.refresh })
  }
  return response
}

export interface IdTokenGrant {
  client: Client
  subject: string
  scope: readonly string[]
  oidc: OidcSession | undefined
  nonce?: string
  lifespan: number
  now: Date
}

/** Adds `id_token` to the response when `openid` was granted (OpenID Connect Core §3.1.3.3). */
export async function withIdToken(
  response: AccessTokenResponse,
  idTokens: IdTokens | undefined,
  g: IdTokenGrant,
): Promise<AccessTokenResponse> {
  if (!g.scope.includes('openid') || !g.oidc) return response
  if (!idTokens) throw serverError('ID tokens need the server key ring, which is not configured.')
  response.id_token = await idTokens.issue({
    client: g.client,
    subject: g.subject,
    session: g.oidc,
    ...(g.nonce !== undefined ? { nonce: g.nonce } : {}),
    accessToken: response.access_token,
    lifespan: g.lifespan,
    now: g.now,
  })
  return response
}

/** ttl.refresh_token and the client lifespans use -1 / null for "never expires". */
export function refreshLifespan(clientValue: number | null, ttl: number): number | null {
  const value = clientValue ?? ttl
  return value < 0 ? null : value
}
