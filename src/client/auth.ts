// How a client authenticates at the token endpoint, and the keys it does that with.
import { BCRYPT_MAX_BYTES, type HasherConfig } from '../crypto/hasher.js'
import { invalidClientMetadata } from '../oauth2/errors.js'
import { checkOneOf, raw, show } from './fields.js'
import type { Body } from './fields.js'
import type { JsonWebKeySet } from './model.js'

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const

export const AUTH_SIGNING_ALGS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
] as const

// JWK members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

// Hydra's rule (fosite accepts any non-empty secret).
const MIN_SECRET_LENGTH = 6

export function checkAuthMethod(method: string): string {
  if (method === '') return 'client_secret_basic'
  checkOneOf('token_endpoint_auth_method', method, AUTH_METHODS)
  return method
}

export function checkSigningAlg(method: string, alg: string): void {
  if (method === 'private_key_jwt' && alg !== '') checkOneOf('token_endpoint_auth_signing_alg', alg, AUTH_SIGNING_ALGS)
}

/**
 * The plaintext secret, or undefined when the caller should generate (or keep) one. `hashedWith`
 * is the configured hasher (oauth2.hashers.algorithm): bcrypt reads only the first 72 bytes, so
 * a longer secret would authenticate by its prefix alone.
 */
export function checkSecret(secret: string, method: string, dynamic: boolean, hashedWith: HasherConfig['algorithm'] = 'pbkdf2'): string | undefined {
  if (secret === '') return undefined
  if (dynamic) {
    // As in Hydra: dynamically registered clients always get a server-generated secret.
    throw invalidClientMetadata('Field client_secret must not be set: dynamically registered clients can not choose their own secret.')
  }
  if (method === 'none') {
    throw invalidClientMetadata('client_secret must not be set when token_endpoint_auth_method is none.')
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw invalidClientMetadata(`Field client_secret must be at least ${MIN_SECRET_LENGTH} characters long.`)
  }
  if (hashedWith === 'bcrypt' && Buffer.byteLength(secret, 'utf8') > BCRYPT_MAX_BYTES) {
    throw invalidClientMetadata(
      `Field client_secret must not be longer than ${BCRYPT_MAX_BYTES} bytes because the configured bcrypt hasher would ignore the rest.`,
    )
  }
  return secret
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export function readJwks(body: Body): JsonWebKeySet | null {
  const v = raw(body, 'jwks')
  if (v === undefined || v === null) return null
  if (!isObject(v) || !Array.isArray(v.keys)) {
    throw invalidClientMetadata('Field jwks must be a JSON Web Key Set: an object with an array "keys".')
  }
  const keys = v.keys.map((key: unknown, i: number) => {
    if (!isObject(key) || typeof key.kty !== 'string' || key.kty === '') {
      throw invalidClientMetadata(`Field jwks has a key at index ${i} without a "kty" string: ${show(key)}.`)
    }
    const secretPart = PRIVATE_MEMBERS.find((m) => Object.hasOwn(key, m))
    if (secretPart !== undefined) {
      throw invalidClientMetadata(
        `Field jwks has a key at index ${i} with the private member "${secretPart}"; only public keys may be registered.`,
      )
    }
    return key
  })
  return { ...v, keys }
}

export function checkKeySource(method: string, jwks: JsonWebKeySet | null, jwksUri: string): void {
  if (jwks !== null && jwksUri !== '') {
    throw invalidClientMetadata('Fields jwks and jwks_uri can not both be set, you must choose one.')
  }
  if (method === 'private_key_jwt' && jwks === null && jwksUri === '') {
    throw invalidClientMetadata('When token_endpoint_auth_method is private_key_jwt, either jwks or jwks_uri must be set.')
  }
}
