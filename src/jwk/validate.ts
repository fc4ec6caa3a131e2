// Checks on what the admin sends: generation requests and keys to import (RFC 7517, RFC 7518).
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose'
import { invalidRequest, type OAuthError } from '../oauth2/errors.js'
import {
  ALG_KEY_TYPES,
  GENERATE_ALGS,
  IMPORT_ALGS,
  KEY_USES,
  MAX_ID_LENGTH,
  hasPrivatePart,
  isGenerateAlg,
  publicJwk,
  type GenerateAlg,
  type Jwk,
  type KeyUse,
} from './model.js'

export interface CreateKeyRequest {
  alg: GenerateAlg
  use: KeyUse
  /** Absent or empty: the server picks a random UUID. */
  kid?: string
}

// What the route schemas (http/jwk-routes.ts) let through: members of the documented types, or
// null, which Go decodes as absent. A member of another type is refused before these checks run,
// in the words of `createRequestRefused`, `keyRefused` and `setRefused` below.

/** The body of `POST /admin/keys/{set}` as the route schema admits it. */
export interface CreateKeyBody {
  alg?: string | null
  use?: string | null
  kid?: string | null
}

/** A JSON Web Key as the route schemas admit it: its string members strings, x5c a list of them. */
export type KeyBody = Record<string, unknown> & {
  kty?: string | null
  kid?: string | null
  alg?: string | null
  use?: string | null
  crv?: string | null
}

/** A JSON Web Key Set as the route schema admits it. */
export interface KeySetBody {
  keys?: ReadonlyArray<KeyBody | null> | null
}

/** Echoes a value the admin sent without letting a huge one flood the error. */
const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  return text.length > 64 ? `${text.slice(0, 61)}...` : text
}

const NOT_A_CREATE_REQUEST = 'The request body must be a JSON object such as {"alg":"RS256","use":"sig","kid":"my-key"}.'
const NOT_A_SET = 'The request body must be a JSON Web Key Set: {"keys":[...]}.'
const notAKey = (at: string) => invalidRequest(`${at}a JSON Web Key must be a JSON object.`)
const unsupportedAlg = (at: string, alg: unknown, offered: readonly string[]) =>
  invalidRequest(`${at}"alg" = "${shown(alg)}" is not supported: use one of ${offered.join(', ')}.`)
const unsupportedUse = (at: string, use: unknown) => invalidRequest(`${at}"use" = "${shown(use)}" is not supported: use "sig" or "enc".`)
const notAString = (at: string, member: string) => invalidRequest(`${at}"${member}" must be ${member === 'x5c' ? 'an array of strings' : 'a string'}.`)

/** Set ids and key ids: non-empty and short enough for the id columns. */
export function checkId(value: string, what: 'set' | 'kid'): string {
  const name = what === 'set' ? 'The JSON Web Key Set id' : 'The key id (kid)'
  if (value === '') throw invalidRequest(`${name} must not be empty.`)
  if (value.length > MAX_ID_LENGTH) throw invalidRequest(`${name} must be at most ${MAX_ID_LENGTH} characters long.`)
  return value
}

function parseUse(value: string | null | undefined, where: string): KeyUse {
  if (value === undefined || value === null || value === '') return 'sig'
  if ((KEY_USES as readonly string[]).includes(value)) return value as KeyUse
  throw unsupportedUse(where, value)
}

/**
 * A create request the route schema refused: `at` is the refused value's path in the body (empty
 * for the body itself), `value` the value.
 */
export function createRequestRefused(at: readonly string[], value: unknown): OAuthError {
  const [member] = at
  if (member === undefined) return invalidRequest(NOT_A_CREATE_REQUEST)
  if (member === 'alg') return unsupportedAlg('', value, GENERATE_ALGS)
  if (member === 'use') return unsupportedUse('', value)
  return notAString('', member)
}

/** A key the route schema refused (`where` names it within a set: `keys[0]: `). */
export function keyRefused(at: readonly string[], value: unknown, where = ''): OAuthError {
  const [member] = at
  if (member === undefined) return notAKey(where)
  if (member === 'alg') return unsupportedAlg(where, value, IMPORT_ALGS)
  if (member === 'use') return unsupportedUse(where, value)
  return notAString(where, member)
}

/** A key set the route schema refused. */
export function setRefused(at: readonly string[], value: unknown): OAuthError {
  const [member, index, ...rest] = at
  if (member !== 'keys' || index === undefined) return invalidRequest(NOT_A_SET)
  return keyRefused(rest, value, `keys[${index}]: `)
}

/** The body of `POST /admin/keys/{set}` (createJsonWebKeySet): {alg, use, kid}. */
export function parseCreateRequest(body: CreateKeyBody | null | undefined): CreateKeyRequest {
  // An absent body: any other body that is not an object was refused by the route schema.
  if (body === undefined || body === null) throw invalidRequest(NOT_A_CREATE_REQUEST)
  const { alg, kid } = body
  if (alg === undefined || alg === null || alg === '') {
    throw invalidRequest(`"alg" is required: one of ${GENERATE_ALGS.join(', ')}.`)
  }
  if (!isGenerateAlg(alg)) throw unsupportedAlg('', alg, GENERATE_ALGS)
  const use = parseUse(body.use, '')
  return { alg, use, ...(typeof kid === 'string' && kid !== '' ? { kid: checkId(kid, 'kid') } : {}) }
}

// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
const MIN_HMAC_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 }
// RFC 7518 §3.3 and §3.5: RSA keys of 2048 bits or larger.
const MIN_RSA_BYTES = 256

const PROBE = new TextEncoder().encode('orthrus key check')

/**
 * One key the admin imports (`PUT /admin/keys/...`, `orthrus import jwk`). `kid` and `alg` are
 * required, `use` defaults to "sig"; the key must parse, and a private key must match its public half.
 */
export async function parseImportedKey(value: KeyBody | null | undefined, where = '', fallbackKid?: string): Promise<Jwk> {
  const at = where === '' ? '' : `${where}: `
  // Absent or null: any other value that is not an object was refused by the route schema.
  if (value === undefined || value === null) throw notAKey(at)
  const { kty, alg } = value
  if (!kty) throw invalidRequest(`${at}"kty" is required.`)
  const kid = value.kid ? value.kid : fallbackKid
  if (kid === undefined) throw invalidRequest(`${at}"kid" is required.`)
  checkId(kid, 'kid')
  if (!alg) throw invalidRequest(`${at}"alg" is required: one of ${IMPORT_ALGS.join(', ')}.`)
  const wanted = ALG_KEY_TYPES[alg]
  if (!wanted) throw unsupportedAlg(at, alg, IMPORT_ALGS)
  if (wanted.kty !== kty) throw invalidRequest(`${at}"alg" ${alg} needs a key of type ${wanted.kty}, not "${shown(kty)}".`)
  if (wanted.crv !== undefined && value.crv !== wanted.crv) {
    throw invalidRequest(`${at}"alg" ${alg} needs the curve ${wanted.crv}, not "${shown(value.crv)}".`)
  }
  const jwk: Jwk = { ...(value as JWK), kty, kid, alg, use: parseUse(value.use, at) }
  checkKeySize(jwk, at)
  await checkKeyWorks(jwk, at)
  return jwk
}

function checkKeySize(jwk: Jwk, at: string): void {
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && Buffer.from(jwk.n, 'base64url').length < MIN_RSA_BYTES) {
    throw invalidRequest(`${at}RSA keys must be at least 2048 bits long.`)
  }
  const minHmac = MIN_HMAC_BYTES[jwk.alg]
  if (minHmac !== undefined && typeof jwk.k === 'string' && Buffer.from(jwk.k, 'base64url').length < minHmac) {
    throw invalidRequest(`${at}${jwk.alg} keys must be at least ${minHmac * 8} bits long.`)
  }
}

/** The key imports with jose, and a private key signs what its public half verifies. */
async function checkKeyWorks(jwk: Jwk, at: string): Promise<void> {
  const fail = (e: unknown): never => {
    const reason = e instanceof Error ? e.message : String(e)
    throw invalidRequest(`${at}the ${jwk.kty} key does not parse: ${shown(reason)}`)
  }
  const { key_ops: _ops, ext: _ext, ...plain } = jwk
  const key = await importJWK(plain, jwk.alg).catch(fail)
  if (!hasPrivatePart(jwk)) return
  const pub = jwk.kty === 'oct' ? key : await importJWK(publicJwk(jwk) ?? {}, jwk.alg).catch(fail)
  try {
    const jws = await new CompactSign(PROBE).setProtectedHeader({ alg: jwk.alg }).sign(key)
    await compactVerify(jws, pub)
  } catch {
    throw invalidRequest(`${at}the private part of the key does not match its public part.`)
  }
}

/** The body of `PUT /admin/keys/{set}`: a JWK Set; key ids must be distinct. */
export async function parseImportedSet(body: KeySetBody | null | undefined): Promise<Jwk[]> {
  // An absent body or `keys`: a body or `keys` of another type was refused by the route schema.
  if (!body?.keys) throw invalidRequest(NOT_A_SET)
  const keys: Jwk[] = []
  const seen = new Set<string>()
  for (const [i, value] of body.keys.entries()) {
    const jwk = await parseImportedKey(value, `keys[${i}]`)
    if (seen.has(jwk.kid)) throw invalidRequest(`keys[${i}]: the kid "${shown(jwk.kid)}" appears more than once.`)
    seen.add(jwk.kid)
    keys.push(jwk)
  }
  return keys
}
