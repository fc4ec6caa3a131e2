// The JSON bodies the login and consent apps send (Hydra's acceptOAuth2LoginRequest,
// acceptOAuth2ConsentRequest, rejectOAuth2Request). Like Hydra's decoder with
// DisallowUnknownFields, an unknown field or a value of the wrong type is a 400.
import { invalidRequest } from '../oauth2/errors.js'
import type { DeniedError } from './model.js'

type Body = Record<string, unknown>

function object(body: unknown, allowEmpty: boolean, fields: readonly string[]): Body {
  if (body === undefined || body === null) {
    if (allowEmpty) return {}
    throw invalidRequest('Unable to decode body because: the request body is empty.')
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('Unable to decode body because: the body must be a JSON object.')
  for (const name of Object.keys(body)) {
    if (!fields.includes(name)) throw invalidRequest(`Unable to decode body because: unknown field "${name}".`)
  }
  return body as Body
}

const wrong = (name: string, what: string) => invalidRequest(`Unable to decode body because: field "${name}" must be ${what}.`)

// JSON null decodes to the zero value, as in Go.
function text(b: Body, name: string): string {
  const v = b[name]
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw wrong(name, 'a string')
  return v
}

function flag(b: Body, name: string): boolean {
  const v = b[name]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw wrong(name, 'a boolean')
  return v
}

function seconds(b: Body, name: string): number {
  const v = b[name]
  if (v === undefined || v === null) return 0
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrong(name, 'an integer')
  if (v < 0) throw wrong(name, 'zero or a positive number of seconds')
  return v
}

function texts(b: Body, name: string): string[] {
  const v = b[name]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw wrong(name, 'an array of strings')
  return [...(v as string[])]
}

function claims(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw wrong(name, 'a JSON object')
  return v as Record<string, unknown>
}

export interface AcceptLogin {
  subject: string
  remember: boolean
  rememberFor: number
  acr: string
  amr: string[]
  /** Any JSON, handed on to the consent request; undefined when not sent. */
  context: unknown
  forceSubjectIdentifier: string
  extendSessionLifespan: boolean
  identityProviderSessionId: string
}

const ACCEPT_LOGIN_FIELDS = [
  'subject',
  'remember',
  'remember_for',
  'acr',
  'amr',
  'context',
  'force_subject_identifier',
  'extend_session_lifespan',
  'identity_provider_session_id',
]

export function parseAcceptLogin(body: unknown): AcceptLogin {
  const b = object(body, false, ACCEPT_LOGIN_FIELDS)
  const subject = text(b, 'subject')
  if (subject === '') throw invalidRequest("Field 'subject' must not be empty.")
  return {
    subject,
    remember: flag(b, 'remember'),
    rememberFor: seconds(b, 'remember_for'),
    acr: text(b, 'acr'),
    amr: texts(b, 'amr'),
    context: b.context ?? undefined,
    forceSubjectIdentifier: text(b, 'force_subject_identifier'),
    extendSessionLifespan: flag(b, 'extend_session_lifespan'),
    identityProviderSessionId: text(b, 'identity_provider_session_id'),
  }
}

export interface AcceptConsent {
  grantScope: string[]
  grantAudience: string[]
  remember: boolean
  rememberFor: number
  accessTokenExtra: Record<string, unknown>
  idTokenExtra: Record<string, unknown>
  /** Replaces the login's context when sent. */
  context: unknown
}

// handled_at is accepted for older SDKs and ignored: the server records when it handled the request.
const ACCEPT_CONSENT_FIELDS = ['grant_scope', 'grant_access_token_audience', 'remember', 'remember_for', 'session', 'context', 'handled_at']

export function parseAcceptConsent(body: unknown): AcceptConsent {
  const b = object(body, true, ACCEPT_CONSENT_FIELDS)
  const session = b.session === undefined || b.session === null ? {} : b.session
  if (typeof session !== 'object' || Array.isArray(session)) throw wrong('session', 'a JSON object')
  const s = session as Body
  for (const name of Object.keys(s)) {
    if (name !== 'access_token' && name !== 'id_token') throw invalidRequest(`Unable to decode body because: unknown field "session.${name}".`)
  }
  return {
    grantScope: texts(b, 'grant_scope'),
    grantAudience: texts(b, 'grant_access_token_audience'),
    remember: flag(b, 'remember'),
    rememberFor: seconds(b, 'remember_for'),
    accessTokenExtra: claims(s.access_token, 'session.access_token'),
    idTokenExtra: claims(s.id_token, 'session.id_token'),
    context: b.context ?? undefined,
  }
}

const REJECT_FIELDS = ['error', 'error_description', 'error_hint', 'error_debug', 'status_code']

/** A rejection; an empty body is a plain refusal (access_denied when the client gets it). */
export function parseReject(body: unknown): DeniedError {
  const b = object(body, true, REJECT_FIELDS)
  const status = b.status_code
  if (status !== undefined && status !== null && (typeof status !== 'number' || !Number.isSafeInteger(status))) {
    throw wrong('status_code', 'an integer')
  }
  return {
    error: text(b, 'error'),
    error_description: text(b, 'error_description'),
    error_hint: text(b, 'error_hint'),
    error_debug: text(b, 'error_debug'),
    // Hydra's default for a rejection.
    status_code: typeof status === 'number' && status !== 0 ? status : 400,
  }
}
