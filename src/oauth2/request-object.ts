// Request objects: authorization request parameters passed as a JWT, by value (`request`) or by
// reference (`request_uri`), OpenID Connect Core §6 and RFC 9101. As in fosite, they are only
// read for OpenID Connect requests, and their claims override the query parameters.
import {
  UnsecuredJWT,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
import type { Client } from '../client/model.js'
import { JwksUriError, type ClientKeySets } from './client-jwks.js'
import { splitSpaces, type AuthorizeParams } from './authorize-params.js'
import { invalidRequestObject, invalidRequestUri, requestUriNotSupported } from './authorize-errors.js'
import { invalidRequest } from './errors.js'
import { unrestrictedOutbound, type OutboundFetcher } from '../outbound/fetcher.js'

/** Fetches the JWT a request_uri points to; throws with a short reason when it cannot. */
export type FetchRequestObject = (uri: string) => Promise<string>

const MAX_REQUEST_OBJECT_BYTES = 1024 * 1024
// Registered claims of the JWT itself are not authorization request parameters, and a request
// object cannot point to another one.
const NOT_PARAMETERS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'request', 'request_uri'])

/**
 * A GET through the bounded outbound fetcher: 5 s, no redirects, 200 only, at most 1 MiB read
 * (decoded bytes counted as they stream in). Its errors never quote the remote's status or body.
 */
export const requestUriFetcher =
  (outbound: OutboundFetcher): FetchRequestObject =>
  async (uri) =>
    (await outbound.getText(uri, { accept: 'application/oauth-authz-req+jwt, application/jwt, */*', timeoutMs: 5000, maxBytes: MAX_REQUEST_OBJECT_BYTES })).trim()

/** The fetcher without the address policy (tests, and servers built without a registry). */
export const fetchRequestUri: FetchRequestObject = requestUriFetcher(unrestrictedOutbound)

async function loadAssertion(params: AuthorizeParams, client: Client, fetcher?: FetchRequestObject): Promise<string> {
  const location = params.get('request_uri')
  if (location === '') return params.get('request')
  if (!client.request_uris.includes(location)) {
    throw invalidRequestUri(`Request URI '${location}' is not whitelisted by the OAuth 2.0 Client.`)
  }
  if (!fetcher) throw requestUriNotSupported()
  try {
    return await fetcher(location)
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    throw invalidRequestUri(`Unable to fetch OpenID Connect request parameters from 'request_uri' because: ${reason}.`)
  }
}

function claimFailure(e: unknown) {
  if (e instanceof JwksUriError) {
    return invalidRequestObject(`Unable to fetch the OAuth 2.0 Client's JSON Web Keys from its jwks_uri: ${e.message}.`)
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return invalidRequestObject("None of the OAuth 2.0 Client's JSON Web Keys matches the 'kid' and 'alg' of the request object.")
  }
  if (e instanceof errors.JWTClaimValidationFailed || e instanceof errors.JWTExpired) {
    return invalidRequestObject(
      'Unable to verify the request object because its claims could not be validated, check if the expiry time is set correctly.',
    )
  }
  return invalidRequestObject("Unable to verify the request object's signature.")
}

async function verifiedClaims(assertion: string, client: Client, clientKeys: ClientKeySets | undefined, now: Date | undefined): Promise<JWTPayload> {
  let alg: unknown
  try {
    alg = decodeProtectedHeader(assertion).alg
  } catch {
    throw invalidRequestObject('The request object is not a well-formed JSON Web Token.')
  }
  const required = client.request_object_signing_alg
  if (required !== '' && required !== alg) {
    throw invalidRequestObject(
      `The request object uses signing algorithm '${String(alg)}', but the requested OAuth 2.0 Client enforces signing algorithm '${required}'.`,
    )
  }
  try {
    if (alg === 'none') return UnsecuredJWT.decode(assertion).payload
    if (typeof alg !== 'string' || alg.startsWith('HS')) {
      throw invalidRequestObject(`This request object uses unsupported signing algorithm '${String(alg)}'.`)
    }
    let keys: JWTVerifyGetKey
    if (client.jwks !== null) keys = createLocalJWKSet(client.jwks as unknown as JSONWebKeySet)
    else if (clientKeys) keys = clientKeys.resolver(client.jwks_uri)
    else {
      throw invalidRequestObject(
        "The OAuth 2.0 Client registered its keys by jwks_uri, which this server is not configured to fetch; register them in the client's jwks instead.",
      )
    }
    return (await jwtVerify(assertion, keys, { algorithms: [alg], ...(now ? { currentDate: now } : {}) })).payload
  } catch (e) {
    if (e instanceof Error && e.name === 'OAuthError') throw e
    throw claimFailure(e)
  }
}

const asParameter = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

/**
 * Merges the request object of an OpenID Connect request into `params`. Does nothing for
 * requests without one, or without the `openid` scope (which must also be sent outside the
 * object, OpenID Connect Core §6.1).
 */
export async function applyRequestObject(
  params: AuthorizeParams,
  client: Client,
  fetcher?: FetchRequestObject,
  clientKeys?: ClientKeySets,
  now?: Date,
): Promise<void> {
  const outerScope = splitSpaces(params.get('scope'))
  if (!outerScope.includes('openid')) return
  const byValue = params.get('request')
  const byReference = params.get('request_uri')
  if (byValue === '' && byReference === '') return
  if (byValue !== '' && byReference !== '') {
    throw invalidRequest("OpenID Connect parameters 'request' and 'request_uri' were both given, but you can use at most one.")
  }
  if (client.jwks === null && client.jwks_uri === '') {
    throw invalidRequest(
      "OpenID Connect 'request' or 'request_uri' context was given, but the OAuth 2.0 Client does not have any JSON Web Keys registered.",
    )
  }
  const claims = await verifiedClaims(await loadAssertion(params, client, fetcher), client, clientKeys, now)
  // §6.1: client_id and response_type inside the object must match the ones outside.
  for (const name of ['client_id', 'response_type']) {
    const inner = claims[name]
    if (inner !== undefined && inner !== params.get(name)) {
      throw invalidRequestObject(`The request object's '${name}' does not match the '${name}' request parameter.`)
    }
  }
  for (const [name, value] of Object.entries(claims)) {
    if (!NOT_PARAMETERS.has(name) && value !== undefined && value !== null) params.set(name, asParameter(value))
  }
  const scope = splitSpaces(params.get('scope'))
  for (const s of outerScope) if (!scope.includes(s)) scope.push(s)
  params.set('scope', scope.join(' '))
}
