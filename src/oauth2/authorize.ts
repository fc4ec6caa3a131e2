// Validates an authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1) in fosite's
// order. Until the client and its redirect URI are established, an error can only be shown on
// the error page (RFC 6749 §4.1.2.1); after that it is sent back to the client.
import { isPublicClient, type Client } from '../client/model.js'
import { AuthorizeParams, splitSpaces } from './authorize-params.js'
import {
  consentRequired,
  invalidState,
  registrationNotSupported,
  unsupportedResponseMode,
  unsupportedResponseType,
} from './authorize-errors.js'
import type { RedirectTarget, ResponseMode } from './authorize-response.js'
import { OAuthError, invalidClient, invalidRequest, invalidScope } from './errors.js'
import { checkPkceRequest, type PkcePolicy } from './pkce.js'
import { isSecureRedirectUri, isValidRedirectUri, matchRedirectUri } from './redirect.js'
import type { ClientKeySets } from './client-jwks.js'
import { applyRequestObject, type FetchRequestObject } from './request-object.js'
import { checkResponseMode, checkResponseTypeGrants, defaultResponseMode } from './response-mode.js'
import { grantAudience, splitAudience, splitScope, type ScopeMatcher } from './scopes.js'

/** A validated authorization request: everything later steps need, nothing they must re-check. */
export interface AuthorizeRequest {
  clientId: string
  responseTypes: string[]
  responseMode: ResponseMode
  /** Where the response goes: the registered URI that matched (with the request's loopback port). */
  redirectUri: string
  /** redirect_uri exactly as sent, '' when omitted: the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriParam: string
  state: string
  scope: string[]
  audience: string[]
  nonce: string
  prompt: string[]
  /** Seconds; null when not requested. */
  maxAge: number | null
  idTokenHint: string
  loginHint: string
  acrValues: string[]
  uiLocales: string[]
  display: string
  /** The `claims` parameter (OpenID Connect Core §5.5) as sent: a JSON object, or ''. */
  claims: string
  codeChallenge: string
  /** '' when the request used no PKCE. */
  codeChallengeMethod: '' | 'S256' | 'plain'
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to. */
  dpopJkt?: string
}

export type AuthorizeValidation =
  | {
      ok: true
      request: AuthorizeRequest
      client: Client
      target: RedirectTarget
      /** The parameters as validated: a request object's claims merged in. */
      params: AuthorizeParams
    }
  | { ok: false; error: OAuthError; target?: RedirectTarget }

export interface AuthorizeValidationDeps {
  getClient(id: string): Promise<Client | undefined>
  scopeMatcher: ScopeMatcher
  pkce: PkcePolicy
  /** Dev mode: plain http redirect URIs to any host are accepted. */
  allowInsecureRedirects: boolean
  fetchRequestObject?: FetchRequestObject
  /** Keys of clients registered by jwks_uri, for signed request objects. */
  clientKeys?: ClientKeySets
  /** The time a request object's `exp` and `nbf` are checked at. */
  now?: () => Date
}

// Hydra's minimum length for state (fosite's GetMinParameterEntropy, RFC 6819 §4.4.1.8).
export const MIN_STATE_LENGTH = 8
const RESPONSE_MODES: readonly string[] = ['query', 'fragment', 'form_post']
const PROMPTS = new Set(['login', 'none', 'consent', 'select_account', 'registration'])
// Repeats of these would leave the redirect target itself in doubt.
const TARGET_PARAMETERS = ['client_id', 'redirect_uri', 'response_mode', 'request', 'request_uri']
// RFC 8693 §2.1 sends several audiences as a repeated parameter.
const REPEATABLE = new Set(['audience'])

const sameWords = (a: readonly string[], b: readonly string[]): boolean =>
  [...new Set(a)].sort().join(' ') === [...new Set(b)].sort().join(' ')

const insufficientEntropy = (hint: string): OAuthError =>
  new OAuthError(
    'insufficient_entropy',
    'The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy.',
    400,
    hint,
  )

function resolveRedirectUri(given: string, client: Client): string | undefined {
  // RFC 6749 §3.1.2.3: may be omitted when exactly one redirect URI is registered.
  if (given === '') return client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined
  return matchRedirectUri(given, client.redirect_uris)
}

function checkPrompt(raw: string, client: Client, redirectUri: string): string[] {
  const prompt = [...new Set(splitSpaces(raw))]
  if (prompt.some((p) => !PROMPTS.has(p))) throw invalidRequest(`Used unknown value '${raw}' for prompt parameter.`)
  if (prompt.includes('none') && prompt.length > 1) {
    throw invalidRequest("Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed.")
  }
  // RFC 6819 §4.2.3 / RFC 8252 §8.6: without a redirect URI that identifies it, a public client
  // must not obtain an existing authorization silently.
  if (prompt.includes('none') && isPublicClient(client) && !isSecureRedirectUri(redirectUri)) {
    throw consentRequired(
      'OAuth 2.0 Client is marked public and redirect uri is not considered secure (https missing), but "prompt=none" was requested.',
    )
  }
  return prompt
}

function checkMaxAge(raw: string): number | null {
  if (raw === '') return null
  if (!/^\d{1,10}$/.test(raw)) throw invalidRequest("Parameter 'max_age' must be a non-negative integer number of seconds.")
  return Number(raw)
}

function checkClaims(raw: string): string {
  if (raw === '') return ''
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest("Parameter 'claims' must be a JSON object (OpenID Connect Core §5.5).")
  }
  return raw
}

function checkResponseTypes(params: AuthorizeParams, client: Client): string[] {
  const responseTypes = splitSpaces(params.get('response_type'))
  if (responseTypes.length === 0) throw unsupportedResponseType("The request is missing the 'response_type' parameter.")
  // RFC 6749 §3.1.1: a response type is a set of words, in any order.
  if (!client.response_types.some((allowed) => sameWords(splitSpaces(allowed), responseTypes))) {
    throw unsupportedResponseType(`The client is not allowed to request response_type '${params.get('response_type')}'.`)
  }
  return responseTypes
}

function checkNonce(responseTypes: readonly string[], nonce: string): void {
  // OpenID Connect Core §3.2.2.1 / §3.3.2.11: an ID token from the front channel needs a nonce.
  if (!responseTypes.includes('id_token')) return
  if (nonce === '') throw invalidRequest("Parameter 'nonce' must be set when using the OpenID Connect Implicit or Hybrid flow.")
  if (nonce.length < MIN_STATE_LENGTH) {
    throw insufficientEntropy(`Parameter 'nonce' is set but does not satisfy the minimum entropy of ${MIN_STATE_LENGTH} characters.`)
  }
}

// Everything after the redirect target is known: errors from here on go to the client.
function checkAfterTarget(
  params: AuthorizeParams,
  client: Client,
  target: RedirectTarget,
  deps: AuthorizeValidationDeps,
): AuthorizeRequest {
  const repeated = params.repeated(REPEATABLE)
  if (repeated.length > 0) throw invalidRequest(`The request parameter '${repeated[0]}' must not be given more than once.`)
  const scope = [...new Set(splitSpaces(params.get('scope')))]
  const allowed = splitScope(client.scope)
  for (const s of scope) {
    if (!deps.scopeMatcher(allowed, s)) throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
  }
  const audienceValues = params.all('audience')
  const audience = grantAudience(client.audience, splitAudience(audienceValues.length === 1 ? audienceValues[0] : audienceValues))
  if (params.get('registration') !== '') throw registrationNotSupported()
  const responseTypes = checkResponseTypes(params, client)
  checkResponseTypeGrants(responseTypes, client)
  try {
    checkResponseMode(target.responseMode, responseTypes)
  } catch (e) {
    // Multiple Response Types §5: the error goes where this response type's response would.
    target.responseMode = defaultResponseMode(responseTypes)
    throw e
  }
  if (target.state.length < MIN_STATE_LENGTH) {
    throw invalidState(`Request parameter 'state' must be at least be ${MIN_STATE_LENGTH} characters long to ensure sufficient entropy.`)
  }
  const nonce = params.get('nonce')
  checkNonce(responseTypes, nonce)
  // OpenID Connect Core §3.2.2.1 / §3.3.2.1: an ID token is only issued for an OpenID request.
  if (responseTypes.includes('id_token') && !scope.includes('openid')) {
    throw invalidRequest("The response_type 'id_token' requires the 'openid' scope.")
  }
  if (!deps.allowInsecureRedirects && !isSecureRedirectUri(target.redirectUri)) {
    throw invalidRequest(
      "Redirect URL is using an insecure protocol, http is only allowed for hosts with suffix 'localhost', for example: http://myapp.localhost/.",
    )
  }
  const prompt = checkPrompt(params.get('prompt'), client, target.redirectUri)
  const maxAge = checkMaxAge(params.get('max_age'))
  const claims = checkClaims(params.get('claims'))
  const pkce = checkPkceRequest(params.get('code_challenge'), params.get('code_challenge_method'), isPublicClient(client), deps.pkce)
  const dpopJkt = params.get('dpop_jkt')
  // A SHA-256 JWK thumbprint (RFC 7638), base64url without padding.
  if (dpopJkt !== '' && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) {
    throw invalidRequest("The request parameter 'dpop_jkt' must be the base64url SHA-256 thumbprint of a JWK.")
  }
  return {
    clientId: client.client_id,
    responseTypes,
    responseMode: target.responseMode,
    redirectUri: target.redirectUri,
    redirectUriParam: params.get('redirect_uri'),
    state: target.state,
    scope,
    audience,
    nonce,
    prompt,
    maxAge,
    idTokenHint: params.get('id_token_hint'),
    loginHint: params.get('login_hint'),
    acrValues: splitSpaces(params.get('acr_values')),
    uiLocales: splitSpaces(params.get('ui_locales')),
    display: params.get('display'),
    claims,
    codeChallenge: pkce?.challenge ?? '',
    codeChallengeMethod: pkce?.method ?? '',
    ...(dpopJkt !== '' ? { dpopJkt } : {}),
  }
}

/** Validates `input` (left unchanged: a request object is merged into a copy). */
export async function validateAuthorizeRequest(input: AuthorizeParams, deps: AuthorizeValidationDeps): Promise<AuthorizeValidation> {
  const params = new AuthorizeParams(input.pairs())
  const targetRepeats = params.repeated().filter((name) => TARGET_PARAMETERS.includes(name))
  if (targetRepeats.length > 0) {
    return { ok: false, error: invalidRequest(`The request parameter '${targetRepeats[0]}' must not be given more than once.`) }
  }
  const clientId = params.get('client_id')
  const client = clientId === '' ? undefined : await deps.getClient(clientId)
  if (!client) return { ok: false, error: invalidClient('The requested OAuth 2.0 Client does not exist.') }
  try {
    await applyRequestObject(params, client, deps.fetchRequestObject, deps.clientKeys, deps.now?.())
  } catch (e) {
    if (e instanceof OAuthError) return { ok: false, error: e }
    throw e
  }
  const mode = params.get('response_mode')
  if (mode !== '' && !RESPONSE_MODES.includes(mode)) {
    return { ok: false, error: unsupportedResponseMode(`Request with unsupported response_mode '${mode}'.`) }
  }
  const given = params.get('redirect_uri')
  if (given === '' && splitSpaces(params.get('scope')).includes('openid')) {
    return { ok: false, error: invalidRequest("The 'redirect_uri' parameter is required when using OpenID Connect 1.0.") }
  }
  const redirectUri = resolveRedirectUri(given, client)
  if (redirectUri === undefined) {
    return {
      ok: false,
      error: invalidRequest("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."),
    }
  }
  if (!isValidRedirectUri(redirectUri)) {
    return {
      ok: false,
      error: invalidRequest(`The redirect URI '${redirectUri}' contains an illegal character (for example #) or is otherwise invalid.`),
    }
  }
  // Multiple Response Types §5: without response_mode, the response type decides (and so do errors).
  const responseMode = mode === '' ? defaultResponseMode(splitSpaces(params.get('response_type'))) : (mode as ResponseMode)
  const target: RedirectTarget = { redirectUri, responseMode, state: params.get('state') }
  try {
    const request = checkAfterTarget(params, client, target, deps)
    return { ok: true, request, client, target, params }
  } catch (e) {
    if (e instanceof OAuthError) return { ok: false, error: e, target }
    throw e
  }
}
