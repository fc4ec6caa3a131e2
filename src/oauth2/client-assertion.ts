// private_key_jwt: the client proves itself with a JWT signed by one of its registered keys
// (RFC 7523 §2.2 and §3, OpenID Connect Core §9).
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { AUTH_SIGNING_ALGS } from '../client/auth.js'
import type { Client } from '../client/model.js'
import { sha256Hex } from '../crypto/hmac.js'
import { JwksUriError, type ClientKeySets } from './client-jwks.js'
import { invalidClient, invalidRequest } from './errors.js'
import type { TokenStore } from './store.js'

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

const ALLOWED_ALGS = new Set<string>(AUTH_SIGNING_ALGS)
// 9999-12-31T23:59:59Z, the last instant MySQL's datetime can store.
const LATEST_EXP = 253_402_300_799

export interface AssertionDeps {
  getClient(id: string): Promise<Client | undefined>
  tokens: Pick<TokenStore, 'useJti'>
  /** Accepted `aud` values: the token endpoint URL(s) and the issuer. */
  audiences: readonly string[]
  now(): Date
  /** Keys of clients registered by jwks_uri; without it such clients cannot use private_key_jwt. */
  clientKeys?: ClientKeySets | undefined
}

function readUnverified(assertion: string): { alg: unknown; claims: JWTPayload } {
  try {
    return { alg: decodeProtectedHeader(assertion).alg, claims: decodeJwt(assertion) }
  } catch {
    throw invalidClient('The client_assertion is not a well-formed JSON Web Token.')
  }
}

function checkMethod(client: Client): void {
  const method = client.token_endpoint_auth_method
  if (method === 'private_key_jwt') return
  if (method === 'none') {
    throw invalidClient(
      "This requested OAuth 2.0 client does not support client authentication, however 'client_assertion' was provided in the request.",
    )
  }
  throw invalidClient(
    `This requested OAuth 2.0 client only supports client authentication method '${method}', however 'client_assertion' was provided in the request.`,
  )
}

function checkAlg(client: Client, alg: unknown): string {
  if (typeof alg === 'string' && alg.startsWith('HS')) {
    throw invalidClient("This authorization server does not support client authentication method 'client_secret_jwt'.")
  }
  if (typeof alg !== 'string' || !ALLOWED_ALGS.has(alg)) {
    throw invalidClient(`The 'client_assertion' request parameter uses unsupported signing algorithm '${String(alg)}'.`)
  }
  const required = client.token_endpoint_auth_signing_alg
  if (required !== '' && alg !== required) {
    throw invalidClient(
      `The 'client_assertion' uses signing algorithm '${alg}' but the requested OAuth 2.0 Client enforces signing algorithm '${required}'.`,
    )
  }
  return alg
}

function keysOf(client: Client, clientKeys: ClientKeySets | undefined): JWTVerifyGetKey {
  if (client.jwks !== null) return createLocalJWKSet(client.jwks as unknown as JSONWebKeySet)
  if (client.jwks_uri !== '') {
    if (clientKeys) return clientKeys.resolver(client.jwks_uri)
    throw invalidClient(
      "The OAuth 2.0 Client registered its keys by jwks_uri, which this server is not configured to fetch; register them in the client's jwks instead.",
    )
  }
  throw invalidClient('The OAuth 2.0 Client has no JSON Web Keys set registered, but they are needed to complete the request.')
}

function verificationFailure(e: unknown, audiences: readonly string[]) {
  if (e instanceof JwksUriError) {
    return invalidClient(`Unable to fetch the OAuth 2.0 Client's JSON Web Keys from its jwks_uri: ${e.message}.`)
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return invalidClient("None of the OAuth 2.0 Client's JSON Web Keys matches the 'kid' and 'alg' of the 'client_assertion'.")
  }
  if (e instanceof errors.JWTExpired) return invalidClient("The 'client_assertion' has expired.")
  if (e instanceof errors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'iss':
      case 'sub':
        return invalidClient(`Claim '${e.claim}' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client.`)
      case 'aud':
        return invalidClient(
          `Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint '${audiences[0] ?? ''}'.`,
        )
      case 'exp':
      case 'jti':
        return invalidClient(`Claim '${e.claim}' from 'client_assertion' must be set but is not.`)
      default:
        return invalidClient(`Claim '${e.claim}' from 'client_assertion' is invalid: ${e.reason}.`)
    }
  }
  return invalidClient("Unable to verify the integrity of the 'client_assertion' value.")
}

/**
 * Authenticates the client a `client_assertion` names. `clientIdParam` is the form's client_id,
 * if sent; the assertion's iss and sub must both equal the client id (RFC 7523 §3).
 */
export async function authenticateByAssertion(
  assertion: string,
  clientIdParam: string | undefined,
  deps: AssertionDeps,
): Promise<Client> {
  if (assertion === '') {
    throw invalidRequest(`The client_assertion request parameter must be set when using client_assertion_type of '${JWT_BEARER_ASSERTION}'.`)
  }
  const { alg, claims } = readUnverified(assertion)
  const clientId = clientIdParam ?? claims.sub
  if (typeof clientId !== 'string' || clientId === '') {
    throw invalidClient("The claim 'sub' from the client_assertion JSON Web Token is undefined.")
  }
  const client = await deps.getClient(clientId)
  if (!client) throw invalidClient(undefined, undefined, 'The requested OAuth 2.0 Client does not exist.')
  checkMethod(client)
  const algorithm = checkAlg(client, alg)
  const keys = keysOf(client, deps.clientKeys)

  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(assertion, keys, {
      algorithms: [algorithm],
      issuer: clientId,
      subject: clientId,
      audience: [...deps.audiences],
      requiredClaims: ['exp', 'jti'],
      currentDate: deps.now(),
    }))
  } catch (e) {
    throw verificationFailure(e, deps.audiences)
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') {
    throw invalidClient("Claim 'jti' from 'client_assertion' must be set but is not.")
  }
  if (typeof payload.exp !== 'number') throw invalidClient("Claim 'exp' from 'client_assertion' must be set but is not.")
  // The jti is stored until exp, in a column every engine can hold.
  if (payload.exp > LATEST_EXP) throw invalidClient("Claim 'exp' from 'client_assertion' is too far in the future.")
  // Only after the signature verified, so that forged assertions cannot burn a client's jtis.
  // RFC 7523 §3 item 7: the jti is kept until the assertion expires, and used once.
  const fresh = await deps.tokens.useJti(sha256Hex(payload.jti), new Date(payload.exp * 1000), deps.now())
  if (!fresh) throw invalidClient("Claim 'jti' from 'client_assertion' MUST only be used once.")
  return client
}
