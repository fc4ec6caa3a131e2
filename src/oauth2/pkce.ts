// Proof Key for Code Exchange (RFC 7636), with fosite's rules and messages: the authorization
// request side (§4.3, §4.4) and the token request side (§4.5, §4.6).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Config } from '../config/types.js'
import { invalidGrant, invalidRequest, type OAuthError } from './errors.js'

export interface PkcePolicy {
  /** oauth2.pkce.enforced: every authorization code request needs a code_challenge. */
  enforced: boolean
  /** oauth2.pkce.enforced_for_public_clients */
  enforcedForPublicClients: boolean
  /** Hydra never allows `plain`; kept as a switch so the rule lives in one place. */
  allowPlain: boolean
}

/** oauth2.pkce.*; Hydra has no setting for `plain`, which it never allows. */
export function pkcePolicy(config: Readonly<Config>): PkcePolicy {
  const { enforced, enforced_for_public_clients: enforcedForPublicClients } = config.oauth2.pkce
  return { enforced, enforcedForPublicClients, allowPlain: false }
}

export type PkceMethod = 'S256' | 'plain'

export interface PkceChallenge {
  challenge: string
  method: PkceMethod
}

// RFC 7636 §4.1: code_verifier = 43*128unreserved; §4.2: a challenge is either the S256 digest
// (43 base64url characters) or, for plain, the verifier itself.
const UNRESERVED_43_128 = /^[A-Za-z0-9\-._~]{43,128}$/

function missing(isPublic: boolean, policy: PkcePolicy): OAuthError | undefined {
  if (policy.enforced) {
    return invalidRequest('Clients must include a code_challenge when performing the authorize code flow, but it is missing.')
  }
  if (policy.enforcedForPublicClients && isPublic) {
    return invalidRequest('This client must include a code_challenge when performing the authorize code flow, but it is missing.')
  }
  return undefined
}

/**
 * Checks the PKCE parameters of an authorization request; returns what to store with the code,
 * or undefined when the request uses no PKCE. Throws invalid_request (RFC 7636 §4.4.1).
 */
export function checkPkceRequest(
  challenge: string,
  method: string,
  isPublic: boolean,
  policy: PkcePolicy,
): PkceChallenge | undefined {
  if (challenge === '') {
    if (method !== '') throw invalidRequest('The code_challenge_method was given without a code_challenge.')
    const err = missing(isPublic, policy)
    if (err) throw err
    return undefined
  }
  // §4.3: "defaults to plain if not present in the request".
  const effective = method === '' ? 'plain' : method
  if (effective !== 'S256' && effective !== 'plain') {
    throw invalidRequest('The code_challenge_method is not supported, use S256 instead.')
  }
  if (effective === 'plain' && !policy.allowPlain) {
    throw invalidRequest('Clients must use code_challenge_method=S256, plain is not allowed.')
  }
  if (!UNRESERVED_43_128.test(challenge) || (effective === 'S256' && challenge.length !== 43)) {
    throw invalidRequest(
      "The code_challenge must be 43 to 128 characters of [A-Z], [a-z], [0-9], '-', '.', '_' and '~' (43 for S256).",
    )
  }
  return { challenge, method: effective }
}

/** BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), RFC 7636 §4.2. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The token request side (RFC 7636 §4.6), for the authorization_code grant: `stored` is what the
 * authorization code was issued with, `verifier` the request's code_verifier. Throws
 * invalid_grant when they do not match, invalid_request when PKCE is required but was not used.
 */
export function verifyPkce(
  stored: PkceChallenge | undefined,
  verifier: string | undefined,
  isPublic: boolean,
  policy: PkcePolicy,
): void {
  if (!stored) {
    if (verifier !== undefined && verifier !== '') throw invalidGrant('Unable to find initial PKCE data tied to this request')
    const err = missing(isPublic, policy)
    if (err) throw err
    return
  }
  if (verifier === undefined || verifier === '') throw invalidGrant('The PKCE code verifier must be at least 43 characters.')
  if (verifier.length < 43) throw invalidGrant('The PKCE code verifier must be at least 43 characters.')
  if (verifier.length > 128) throw invalidGrant('The PKCE code verifier can not be longer than 128 characters.')
  if (!UNRESERVED_43_128.test(verifier)) {
    throw invalidGrant("The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.")
  }
  const derived = stored.method === 'S256' ? s256(verifier) : verifier
  if (!sameText(derived, stored.challenge)) throw invalidGrant('The PKCE code challenge did not match the code verifier.')
}
