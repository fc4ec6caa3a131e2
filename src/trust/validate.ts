// Checks on the body of POST /admin/trust/grants/jwt-bearer/issuers (Hydra's
// trustOAuth2JwtGrantIssuer): issuer, subject or allow_any_subject, scope, a public JWK, expires_at.
import type { JWK } from 'jose'
import { parseImportedKey } from '../jwk/validate.js'
import { OAuthError, invalidRequest } from '../oauth2/errors.js'
import { algorithmsFor } from './keys.js'

export interface TrustRequest {
  issuer: string
  subject: string
  allowAnySubject: boolean
  scope: string[]
  /** The public key as sent (already checked), without private members. */
  jwk: JWK & { kid: string }
  expiresAt: Date
}

/** issuer and subject live in varchar(255) columns. */
const MAX_TEXT = 255
/** key_id is varchar(128) on MySQL (the unique key must fit InnoDB's limit). */
export const MAX_KID = 128

// RFC 7518 §6.2.2, §6.3.2, §6.4.1 and RFC 8037 §2: members only a private or secret key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// RFC 3339 date-time, with an optional fraction and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function text(body: Record<string, unknown>, name: string, required: boolean): string {
  const v = body[name]
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidRequest(`Field '${name}' is required.`)
    return ''
  }
  if (typeof v !== 'string') throw invalidRequest(`Field '${name}' must be a string.`)
  if (v.length > MAX_TEXT) throw invalidRequest(`Field '${name}' must be at most ${MAX_TEXT} characters long.`)
  return v
}

function parseScope(v: unknown): string[] {
  if (v === undefined || v === null) throw invalidRequest("Field 'scope' is required (a list of scope values, possibly empty).")
  if (!Array.isArray(v)) throw invalidRequest("Field 'scope' must be an array of strings.")
  const out: string[] = []
  for (const s of v) {
    if (typeof s !== 'string' || s === '' || /\s/.test(s)) {
      throw invalidRequest("Field 'scope' must contain non-empty scope values without whitespace.")
    }
    if (!out.includes(s)) out.push(s)
  }
  return out
}

function parseExpiresAt(v: unknown, now: Date): Date {
  if (v === undefined || v === null || v === '') throw invalidRequest("Field 'expires_at' is required.")
  const at = typeof v === 'string' && RFC3339.test(v) ? new Date(v) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw invalidRequest("Field 'expires_at' must be an RFC 3339 date-time such as 2030-01-02T15:04:05Z.")
  }
  if (at.getTime() <= now.getTime()) throw invalidRequest("Field 'expires_at' must be in the future.")
  // 9999-12-31T23:59:59Z is the last instant MySQL's datetime can store.
  if (at.getTime() > 253_402_300_799_000) throw invalidRequest("Field 'expires_at' is too far in the future.")
  return at
}

async function parseJwk(v: unknown): Promise<JWK & { kid: string }> {
  if (v === undefined || v === null) throw invalidRequest("Field 'jwk' is required.")
  if (!isRecord(v)) throw invalidRequest("Field 'jwk' must be a JSON Web Key object.")
  const present = PRIVATE_MEMBERS.filter((m) => v[m] !== undefined)
  if (present.includes('k') || v.kty === 'oct') {
    throw invalidRequest("Field 'jwk' must be a public key: symmetric keys (kty \"oct\") cannot be trusted.")
  }
  if (present.length > 0) {
    throw invalidRequest(`Field 'jwk' must contain only the public key, but it has private members (${present.join(', ')}).`)
  }
  if (typeof v.kid !== 'string' || v.kid === '') throw invalidRequest("Field 'jwk' must contain a key id ('kid').")
  if (v.kid.length > MAX_KID) throw invalidRequest(`Field 'jwk' has a key id ('kid') longer than ${MAX_KID} characters.`)
  if (v.use !== undefined && v.use !== 'sig') throw invalidRequest("Field 'jwk' must be a signing key: 'use' must be \"sig\" when set.")
  const algs = algorithmsFor(v as JWK)
  if (algs.length === 0) {
    throw invalidRequest(`Field 'jwk' has an unsupported key type or algorithm; use an RSA, EC (P-256, P-384, P-521) or Ed25519 public key.`)
  }
  // parseImportedKey checks that the key parses, its curve, and the RSA size; alg is required there.
  const alg = typeof v.alg === 'string' ? v.alg : algs[0]
  try {
    await parseImportedKey({ ...v, alg }, "Field 'jwk'")
  } catch (e) {
    if (e instanceof OAuthError) throw e
    throw invalidRequest("Field 'jwk' is not a valid JSON Web Key.")
  }
  // Only the members a public key may carry are kept.
  const out: Record<string, unknown> = {}
  for (const name of ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e', 'x5c', 'x5t', 'x5t#S256', 'x5u']) {
    if (v[name] !== undefined) out[name] = v[name]
  }
  return out as JWK & { kid: string }
}

export async function parseTrustRequest(body: unknown, now: Date): Promise<TrustRequest> {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.')
  const issuer = text(body, 'issuer', true)
  const subject = text(body, 'subject', false)
  const any = body.allow_any_subject
  if (any !== undefined && any !== null && typeof any !== 'boolean') throw invalidRequest("Field 'allow_any_subject' must be a boolean.")
  const allowAnySubject = any === true
  if (!allowAnySubject && subject === '') {
    throw invalidRequest("Field 'subject' is required unless 'allow_any_subject' is true.")
  }
  if (allowAnySubject && subject !== '') {
    throw invalidRequest("Fields 'subject' and 'allow_any_subject' cannot both be set: name one subject or allow any.")
  }
  const scope = parseScope(body.scope)
  const jwk = await parseJwk(body.jwk)
  const expiresAt = parseExpiresAt(body.expires_at, now)
  return { issuer, subject, allowAnySubject, scope, jwk, expiresAt }
}
