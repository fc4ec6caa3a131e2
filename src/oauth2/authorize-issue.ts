// What the authorization endpoint hands the client once consent is given, per response type
// (RFC 6749 §4.1.2 and §4.2.2, OpenID Connect Core §3.2.2.5 and §3.3.2.5): a code, an access
// token, an ID token, or a combination.
import type { Client } from '../client/model.js'
import { issueAuthorizeCode, type CodeGrant } from './authorize-code.js'
import type { AuthorizeCodeStore } from './code-store.js'
import { serverError } from './errors.js'
import type { TokenStore } from './store.js'
import type { IdTokens } from './tokens/id-token.js'
import type { OpaqueTokens } from './tokens/opaque-hmac.js'
import { oidcSessionOf } from './tokens/oidc-session.js'
import type { AccessTokenResponse, TokenService } from './tokens/service.js'

export interface FrontChannelIssuers {
  /** Issues access tokens; bound to the unit of work's token store before use. */
  tokens: TokenService
  idTokens: IdTokens | undefined
  /** Global ttl.access_token and ttl.id_token (ms): the fallback of the client's implicit lifespans. */
  ttl: { accessToken: number; idToken: number }
}

export interface StoredResponse {
  code?: string
  access?: AccessTokenResponse
  grantedScope: string
}

/** Stores what the response types ask for; every row goes through the transaction's stores. */
export async function storeAuthorizeResponse(
  g: CodeGrant & { client: Client },
  tx: { codes: AuthorizeCodeStore; tokens: TokenStore },
  deps: { opaque: OpaqueTokens; codeLifespanMs: number; now: Date; issuers: FrontChannelIssuers | undefined },
): Promise<StoredResponse> {
  const types = g.request.responseTypes
  const out: StoredResponse = { grantedScope: g.grantedScope.join(' ') }
  if (types.includes('code')) {
    out.code = (await issueAuthorizeCode(g, { codes: tx.codes, opaque: deps.opaque, lifespanMs: deps.codeLifespanMs, now: deps.now })).code
  }
  if (types.includes('token')) {
    if (!deps.issuers) throw serverError('The authorization endpoint cannot issue access tokens: no token service is configured.')
    const r = g.request
    // RFC 6749 §4.2.2: "The authorization server MUST NOT issue a refresh token" here; the
    // token shares the consent's request id, so revoking the consent revokes it too.
    out.access = await deps.issuers.tokens.withStore(tx.tokens).issueAccess({
      client: g.client,
      subject: g.subject,
      requestId: g.consentChallengeId,
      challengeId: g.consentChallengeId,
      requestedScope: r.scope,
      grantedScope: g.grantedScope,
      requestedAudience: r.audience,
      grantedAudience: g.grantedAudience,
      lifespan: g.client.lifespans.implicit_grant_access_token_lifespan ?? deps.issuers.ttl.accessToken,
      form: { response_type: r.responseTypes.join(' '), redirect_uri: r.redirectUri },
      ext: g.session.accessTokenExtra,
      ...(g.grantedScope.includes('openid') ? { oidc: oidcSessionOf(g.session) } : {}),
    })
  }
  return out
}

/**
 * The response parameters besides `state` and `iss`. The ID token is signed after the unit of
 * work committed (signing reads the key ring), with `at_hash` / `c_hash` over what it travels
 * with (OpenID Connect Core §3.2.2.10, §3.3.2.11).
 */
export async function authorizeResponseParams(
  g: CodeGrant & { client: Client },
  stored: StoredResponse,
  deps: { issuers: FrontChannelIssuers | undefined; now: Date },
): Promise<Record<string, string>> {
  const params: Record<string, string> = {}
  if (stored.code !== undefined) params.code = stored.code
  if (stored.access) {
    params.access_token = stored.access.access_token
    params.token_type = stored.access.token_type
    params.expires_in = String(stored.access.expires_in)
  }
  params.scope = stored.grantedScope
  if (g.request.responseTypes.includes('id_token')) {
    const issuers = deps.issuers
    if (!issuers?.idTokens) throw serverError('ID tokens need the server key ring, which is not configured.')
    params.id_token = await issuers.idTokens.issue({
      client: g.client,
      subject: g.subject,
      session: oidcSessionOf(g.session),
      nonce: g.request.nonce,
      ...(stored.access ? { accessToken: stored.access.access_token } : {}),
      ...(stored.code !== undefined ? { code: stored.code } : {}),
      lifespan: g.client.lifespans.implicit_grant_id_token_lifespan ?? issuers.ttl.idToken,
      now: deps.now,
    })
  }
  return params
}
