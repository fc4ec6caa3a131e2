// The schemas of what the routes read and answer: Hydra's where Hydra has the operation (its
// component schemas, generated into hydra.ts), extended only by what Orthrus adds on top.
import { anyObject, arrayOf, bool, extend, hydra, int, named, obj, ordered, str, strs, type Schema } from './json-schema.js'

/** Every error answer (the one renderer in http/errors.ts); `request_id` is Orthrus's addition. */
export const errorOAuth2 = extend('errorOAuth2', hydra('errorOAuth2'), { request_id: str('The request id, also in X-Request-Id') })

// A client's jwks is go-jose's JSONWebKeySet in Hydra: any valid key is accepted, and kid, alg and
// use are left out of the answer when empty, although Hydra's jsonWebKey schema lists them as
// required. A client's keys are described (and serialised) with only kty required (RFC 7517 §4.1),
// wherever a client appears: Hydra's client schema object is shared by the login, consent and
// session answers that embed it.
const jwkSet = hydra('jsonWebKeySet')
const clientJsonWebKey = named('clientJsonWebKey', { ...hydra('jsonWebKey'), required: ['kty'] })
const clientJsonWebKeySet = named('clientJsonWebKeySet', {
  ...jwkSet,
  properties: { keys: { ...(jwkSet.properties as { keys: Schema }).keys, items: clientJsonWebKey } },
})
const hydraClient = hydra('oAuth2Client')
hydraClient.properties = { ...(hydraClient.properties as Record<string, Schema>), jwks: clientJsonWebKeySet }

export const oAuth2Client = extend('oAuth2Client', hydra('oAuth2Client'), {
  // RFC 9449 §5.2: token requests of this client must carry a DPoP proof.
  dpop_bound_access_tokens: bool('RFC 9449: every access token of this client is DPoP-bound'),
  // RFC 9126 §6 client metadata.
  require_pushed_authorization_requests: bool('RFC 9126: authorization requests only through the pushed authorization request endpoint'),
})
export const oAuth2Clients = arrayOf(oAuth2Client)
export const oAuth2ClientTokenLifespans = hydra('oAuth2ClientTokenLifespans')
export const jsonPatchDocument = hydra('jsonPatchDocument')
export const jsonWebKey = hydra('jsonWebKey')
export const jsonWebKeySet = hydra('jsonWebKeySet')
export const createJsonWebKeySet = hydra('createJsonWebKeySet')
export const oAuth2TokenExchange = extend('oAuth2TokenExchange', hydra('oAuth2TokenExchange'), {
  // Hydra's verifiable credentials: the proof nonce when userinfo_credential_draft_00 was granted.
  c_nonce_draft_00: str('Nonce for the proof of POST /credentials'),
  c_nonce_expires_in_draft_00: int('Seconds the nonce stays valid'),
  // RFC 8693 §2.2.1: the token exchange grant names the type of the token it issued.
  issued_token_type: str('RFC 8693: the type of the issued token'),
})
export const introspectedOAuth2Token = extend('introspectedOAuth2Token', hydra('introspectedOAuth2Token'), {
  // RFC 8693 §4.1: the delegation chain of an exchanged token.
  act: anyObject('RFC 8693 §4.1: the acting party of an exchanged token'),
  // RFC 9449 §6.2: the thumbprint of the key a DPoP-bound token is bound to.
  cnf: obj({ jkt: str('RFC 7638 SHA-256 thumbprint of the DPoP key') }),
})
export const oidcConfiguration = extend('oidcConfiguration', hydra('oidcConfiguration'), {
  // RFC 9449 §5.1: the algorithms a DPoP proof may use.
  dpop_signing_alg_values_supported: strs('RFC 9449: JWS algorithms accepted in DPoP proofs'),
  // RFC 9126 §5.
  pushed_authorization_request_endpoint: str('RFC 9126: the pushed authorization request endpoint'),
  require_pushed_authorization_requests: bool('RFC 9126: whether every authorization request must be pushed first'),
})
export const oidcUserInfo = extend('oidcUserInfo', hydra('oidcUserInfo'), {}, { additionalProperties: true })
export const deviceAuthorization = hydra('deviceAuthorization')
export const oAuth2RedirectTo = hydra('oAuth2RedirectTo')
// The OpenID Connect `claims` request parameter (Core §5.5) is handed on to the login and consent apps.
const oidcContext = extend('oAuth2ConsentRequestOpenIDConnectContext', hydra('oAuth2ConsentRequestOpenIDConnectContext'), {
  claims: anyObject('The claims request parameter (OpenID Connect Core §5.5)'),
})
// In the order of Hydra's structs (flow/present.ts writes them so).
export const oAuth2LoginRequest = ordered(
  'oAuth2LoginRequest',
  hydra('oAuth2LoginRequest'),
  ['challenge', 'requested_scope', 'requested_access_token_audience', 'skip', 'subject', 'oidc_context', 'client', 'request_url', 'session_id'],
  { oidc_context: oidcContext },
)
export const oAuth2ConsentRequest = ordered(
  'oAuth2ConsentRequest',
  hydra('oAuth2ConsentRequest'),
  ['challenge', 'requested_scope', 'requested_access_token_audience', 'skip', 'subject', 'oidc_context', 'client', 'request_url', 'login_challenge', 'login_session_id', 'acr', 'amr', 'context', 'consent_request_id'],
  { oidc_context: oidcContext },
)
export const oAuth2LogoutRequest = hydra('oAuth2LogoutRequest')
export const acceptOAuth2LoginRequest = hydra('acceptOAuth2LoginRequest')
export const acceptOAuth2ConsentRequest = hydra('acceptOAuth2ConsentRequest')
export const rejectOAuth2Request = hydra('rejectOAuth2Request')
export const acceptDeviceUserCodeRequest = hydra('acceptDeviceUserCodeRequest')
export const oAuth2ConsentSessions = hydra('oAuth2ConsentSessions')
export const trustOAuth2JwtGrantIssuer = hydra('trustOAuth2JwtGrantIssuer')
export const trustedOAuth2JwtGrantIssuer = hydra('trustedOAuth2JwtGrantIssuer')
export const trustedOAuth2JwtGrantIssuers = hydra('trustedOAuth2JwtGrantIssuers')
export const healthStatus = hydra('healthStatus')
export const healthNotReadyStatus = hydra('healthNotReadyStatus')
export const version = hydra('version')

/** An OAuth 2.0 form body (RFC 6749 Appendix B): named text fields; a repeated one arrives as a list. */
export function form(fields: Record<string, string>, required: string[] = []): Schema {
  return obj(Object.fromEntries(Object.entries(fields).map(([name, description]) => [name, { type: 'string', description }])), {
    ...(required.length > 0 ? { required } : {}),
  })
}

/** Query parameters, all text. */
export function query(fields: Record<string, string>, required: string[] = []): Schema {
  return form(fields, required)
}

/** Path parameters, all text: a description, or a string schema with limits. */
export const pathParams = (fields: Record<string, string | Schema>): Schema =>
  obj(Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, typeof f === 'string' ? { type: 'string', description: f } : f])), {
    required: Object.keys(fields),
  })

export const anyJson = named('JSONRawMessage', {})
export { int, strs }
