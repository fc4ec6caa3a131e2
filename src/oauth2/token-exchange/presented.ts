// Subject and actor tokens of a token exchange (RFC 8693 §2.1), checked and reduced to what the
// exchange needs: whose token it is, who may present it, what it grants and until when.
// RFC 8693 §2.2.2: a token that is invalid "for any reason" or unacceptable by policy makes the
// request invalid, so every failure here is `invalid_request`.
import { errors as joseErrors, type JWTPayload } from 'jose'
import { isIdToken } from '../../oidc/token-kind.js'
import type { Client } from '../../client/model.js'
import { ID_TOKEN_SET, type KeyRing } from '../../jwk/keyring.js'
import type { TrustedJwtVerifier } from '../../trust/model.js'
import { OAuthError, invalidRequest } from '../errors.js'
import type { OidcSession } from '../tokens/oidc-session.js'
import type { TokenService } from '../tokens/service.js'
import { parseAct, type ActClaim, type Actor, type PresentedTokenType } from './types.js'

/** A verified subject or actor token. */
export interface PresentedToken {
  type: PresentedTokenType
  /** The token's `sub` (an Orthrus token's subject, an ID token's `sub`, a trusted JWT's `sub`). */
  subject: string
  /** Only for tokens from issuers other than Orthrus. */
  issuer?: string
  /** The client an Orthrus access token was issued to. */
  clientId?: string
  /** What the token grants: an access token's granted scope, `openid` for an ID token, the trust relationship's scopes for a JWT. */
  scope: string[]
  expiresAt: Date
  /** The token's own delegation chain (§4.1). */
  act?: ActClaim
  /** §4.4: who may act for the subject, as the token says. */
  mayAct?: unknown
  /** An Orthrus access token's extra claims. */
  ext: Record<string, unknown>
  /** For an ID token issued from this one. */
  oidc?: OidcSession
  /** The consent an Orthrus access token came from; its revocation reaches the exchanged token too. */
  challengeId?: string
}

export interface PresentedTokenDeps {
  tokens: TokenService
  /** The server's keys (ID tokens); absent: no ID token can be verified. */
  keys: Pick<KeyRing, 'verify'> | undefined
  /** urls.self.issuer */
  issuer: string
  /** JWTs of trusted issuers; absent: the JWT token type is not supported. */
  trustedJwts: TrustedJwtVerifier | undefined
  /** What a trusted JWT's `aud` may name besides the exchanging client's id (the token endpoint, the issuer). */
  jwtAudiences: readonly string[]
  now: Date
}

type Param = 'subject_token' | 'actor_token'

// ID token claims that describe the token itself or the authentication, not the end-user.
const ID_TOKEN_OWN = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash', 'c_hash', 'sid', 'rat', 'azp',
  'act', 'may_act',
])

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : typeof v === 'string' ? [v] : [])

async function orthrusAccessToken(param: Param, token: string, client: Client, d: PresentedTokenDeps): Promise<PresentedToken> {
  const found = await d.tokens.find(token, { hint: 'access', verifyJwt: true })
  if (!found || found.kind !== 'access') throw invalidRequest(`The ${param} is not an access token issued by this server.`)
  const r = found.record
  if (!d.tokens.isActive(r) || r.expiresAt === null) throw invalidRequest(`The ${param} is expired, revoked or otherwise inactive.`)
  // Only the party the token was issued to, or a resource server it was issued for, may present it.
  if (r.clientId !== client.client_id && !r.grantedAudience.includes(client.client_id)) {
    throw invalidRequest(`The ${param} was neither issued to this client nor for it as an audience.`)
  }
  const act = parseAct(r.session.act)
  return {
    type: 'access_token',
    subject: r.subject,
    clientId: r.clientId,
    scope: [...r.grantedScope],
    expiresAt: r.expiresAt,
    ...(act ? { act } : {}),
    ...(r.session.ext.may_act !== undefined ? { mayAct: r.session.ext.may_act } : {}),
    ext: { ...r.session.ext },
    ...(r.session.oidc ? { oidc: r.session.oidc } : {}),
    ...(r.challengeId !== null && r.challengeId !== '' ? { challengeId: r.challengeId } : {}),
  }
}

async function orthrusIdToken(param: Param, token: string, client: Client, d: PresentedTokenDeps): Promise<PresentedToken> {
  const invalid = invalidRequest(`The ${param} is not a valid ID token issued by this server.`)
  if (!d.keys) throw invalid
  let claims: JWTPayload
  try {
    claims = (await d.keys.verify(ID_TOKEN_SET, token)).payload
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw invalidRequest(`The ${param} is an expired ID token.`)
    throw invalid
  }
  // Logout tokens and signed userinfo answers are signed with the ID token keys too.
  if (!isIdToken(token, claims)) throw invalid
  if (claims.iss !== d.issuer || typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.exp !== 'number') throw invalid
  // OpenID Connect Core §2: the ID token is for its audience (the client it was issued to).
  const aud = strings(claims.aud)
  if (!aud.includes(client.client_id) && claims.azp !== client.client_id) {
    throw invalidRequest(`The ${param} was not issued to this client.`)
  }
  const idTokenExtra: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims)) if (!ID_TOKEN_OWN.has(name)) idTokenExtra[name] = value
  const act = parseAct(claims.act)
  return {
    type: 'id_token',
    subject: claims.sub,
    scope: ['openid'],
    expiresAt: new Date(claims.exp * 1000),
    ...(act ? { act } : {}),
    ...(claims.may_act !== undefined ? { mayAct: claims.may_act } : {}),
    ext: {},
    oidc: {
      idTokenExtra,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : 0,
      requestedAt: typeof claims.rat === 'number' ? claims.rat : 0,
      acr: typeof claims.acr === 'string' ? claims.acr : '',
      amr: strings(claims.amr),
      sid: typeof claims.sid === 'string' ? claims.sid : '',
      // The ID token's `sub` is already the one this client sees (public or pairwise): keep it.
      forcedSubjectIdentifier: claims.sub,
    },
  }
}

async function trustedJwt(param: Param, token: string, client: Client, d: PresentedTokenDeps): Promise<PresentedToken> {
  if (!d.trustedJwts) throw invalidRequest(`The ${param}_type 'urn:ietf:params:oauth:token-type:jwt' is not supported by this server.`)
  let assertion
  try {
    assertion = await d.trustedJwts.verify(token, { audiences: [client.client_id, ...d.jwtAudiences], now: d.now })
  } catch (e) {
    if (e instanceof OAuthError && e.status < 500) throw invalidRequest(`The ${param} was refused: ${e.hint ?? e.description}`)
    throw e
  }
  const act = parseAct(assertion.claims.act)
  return {
    type: 'jwt',
    subject: assertion.subject,
    issuer: assertion.issuer,
    scope: [...assertion.allowedScope],
    expiresAt: assertion.expiresAt,
    ...(act ? { act } : {}),
    ...(assertion.claims.may_act !== undefined ? { mayAct: assertion.claims.may_act } : {}),
    ext: {},
  }
}

/** Verifies a presented token of the declared type, as `client` presents it. */
export async function verifyPresented(
  param: Param,
  type: PresentedTokenType,
  token: string,
  client: Client,
  d: PresentedTokenDeps,
): Promise<PresentedToken> {
  const found =
    type === 'access_token'
      ? await orthrusAccessToken(param, token, client, d)
      : type === 'id_token'
        ? await orthrusIdToken(param, token, client, d)
        : await trustedJwt(param, token, client, d)
  if (found.expiresAt.getTime() <= d.now.getTime()) throw invalidRequest(`The ${param} is expired.`)
  return found
}

/** The party an actor token identifies. */
export function actorOf(t: PresentedToken): Actor {
  return {
    subject: t.subject,
    ...(t.issuer !== undefined ? { issuer: t.issuer } : {}),
    ...(t.clientId !== undefined ? { clientId: t.clientId } : {}),
  }
}
