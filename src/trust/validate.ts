// Checks on the body of POST /admin/trust/grants/jwt-bearer/issuers (Hydra's
// trustOAuth2JwtGrantIssuer): issuer, subject or allow_any_subject, scope, a public JWK, expires_at.
import type { JWK } from 'jose'
import { parseImportedKey, type KeyBody } from '../jwk/validate.js'
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

/**
 * The body as the route schema (http/trust-routes.ts) admits it: members of the documented types,
 * or null, which Go decodes as absent. A member of another type is refused before these checks
 * run, in the words of `trustRequestRefused`.
 */
export interface TrustBody {
  issuer?: string | null
  subject?: string | null
  allow_any_subject?: boolean | null
  scope?: ReadonlyArray<string | null> | null
  jwk?: KeyBody | null
  expires_at?: string | null
}

const NOT_AN_OBJECT = 'The request body must be a JSON object.'
const notAString = (name: string) => `Field '${name}' must be a string.`
const NOT_A_BOOLEAN = "Field 'allow_any_subject' must be a boolean."
const SCOPE_NOT_A_LIST = "Field 'scope' must be an array of strings."
const BAD_SCOPE_VALUE = "Field 'scope' must contain non-empty scope values without whitespace."
const JWK_NOT_AN_OBJECT = "Field 'jwk' must be a JSON Web Key object."
const JWK_WITHOUT_KID = "Field 'jwk' must contain a key id ('kid')."
const JWK_NOT_FOR_SIGNING = "Field 'jwk' must be a signing key: 'use' must be \"sig\" when set."
const JWK_UNSUPPORTED = `Field 'jwk' has an unsupported key type or algorithm; use an RSA, EC (P-256, P-384, P-521) or Ed25519 public key.`
const JWK_INVALID = "Field 'jwk' is not a valid JSON Web Key."
const NOT_A_DATE_TIME = "Field 'expires_at' must be an RFC 3339 date-time such as 2030-01-02T15:04:05Z."

/** A body the route schema refused: `at` is the refused value's path (empty for the body itself). */
export function trustRequestRefused(at: readonly string[]): OAuthError {
  const [member, inner] = at
  switch (member) {
    case undefined:
      return invalidRequest(NOT_AN_OBJECT)
    case 'allow_any_subject':
      return invalidRequest(NOT_A_BOOLEAN)
    case 'scope':
      return invalidRequest(inner === undefined ? SCOPE_NOT_A_LIST : BAD_SCOPE_VALUE)
    case 'jwk':
      if (inner === undefined) return invalidRequest(JWK_NOT_AN_OBJECT)
      if (inner === 'kid') return invalidRequest(JWK_WITHOUT_KID)
      if (inner === 'use') return invalidRequest(JWK_NOT_FOR_SIGNING)
      return invalidRequest(inner === 'kty' || inner === 'alg' ? JWK_UNSUPPORTED : JWK_INVALID)
    case 'expires_at':
      return invalidRequest(NOT_A_DATE_TIME)
    default:
      return invalidRequest(notAString(member))
  }
}

// RFC 3339 date-time, with an optional fraction and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function text(v: string | null | undefined, name: string, required: boolean): string {
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidRequest(`Field '${name}' is required.`)
    return ''
  }
  if (v.length > MAX_TEXT) throw invalidRequest(`Field '${name}' must be at most ${MAX_TEXT} characters long.`)
  return v
}

function parseScope(v: TrustBody['scope']): string[] {
  if (v === undefined || v === null) throw invalidRequest("Field 'scope' is required (a list of scope values, possibly empty).")
  const out: string[] = []
  for (const s of v) {
    // null is Go's empty string here.
    if (s === null || s === '' || /\s/.test(s)) throw invalidRequest(BAD_SCOPE_VALUE)
    if (!out.includes(s)) out.push(s)
  }
  return out
}

function parseExpiresAt(v: string | null | undefined, now: Date): Date {
  if (v === undefined || v === null || v === '') throw invalidRequest("Field 'expires_at' is required.")
  const at = RFC3339.test(v) ? new Date(v) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) throw invalidRequest(NOT_A_DATE_TIME)
  if (at.getTime() <= now.getTime()) throw invalidRequest("Field 'expires_at' must be in the future.")
  // 9999-12-31T23:59:59Z is the last instant MySQL's datetime can store.
  if (at.getTime() > 253_402_300_799_000) throw invalidRequest("Field 'expires_at' is too far in the future.")
  return at
}

async function parseJwk(v: KeyBody | null | undefined): Promise<JWK & { kid: string }> {
  if (v === undefined || v === null) throw invalidRequest("Field 'jwk' is required.")
  const present = PRIVATE_MEMBERS.filter((m) => v[m] !== undefined)
  if (present.includes('k') || v.kty === 'oct') {
    throw invalidRequest("Field 'jwk' must be a public key: symmetric keys (kty \"oct\") cannot be trusted.")
  }
  if (present.length > 0) {
    throw invalidRequest(`Field 'jwk' must contain only the public key, but it has private members (${present.join(', ')}).`)
  }
  if (!v.kid) throw invalidRequest(JWK_WITHOUT_KID)
  if (v.kid.length > MAX_KID) throw invalidRequest(`Field 'jwk' has a key id ('kid') longer than ${MAX_KID} characters.`)
  if (v.use !== undefined && v.use !== 'sig') throw invalidRequest(JWK_NOT_FOR_SIGNING)
  const algs = algorithmsFor(v as JWK)
  if (algs.length === 0) throw invalidRequest(JWK_UNSUPPORTED)
  // parseImportedKey checks that the key parses, its curve, and the RSA size; alg is required there.
  const alg = v.alg ?? algs[0]
  try {
    await parseImportedKey({ ...v, alg }, "Field 'jwk'")
  } catch (e) {
    if (e instanceof OAuthError) throw e
    throw invalidRequest(JWK_INVALID)
  }
  // Only the members a public key may carry are kept.
  const out: Record<string, unknown> = {}
  for (const name of ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e', 'x5c', 'x5t', 'x5t#S256', 'x5u']) {
    if (v[name] !== undefined) out[name] = v[name]
  }
  return out as JWK & { kid: string }
}

export async function parseTrustRequest(body: TrustBody | null | undefined, now: Date): Promise<TrustRequest> {
  // An absent body: any other body that is not an object was refused by the route schema.
  if (body === undefined || body === null) throw invalidRequest(NOT_AN_OBJECT)
  const issuer = text(body.issuer, 'issuer', true)
  const subject = text(body.subject, 'subject', false)
  const allowAnySubject = body.allow_any_subject === true
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
