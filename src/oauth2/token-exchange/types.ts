// The vocabulary of OAuth 2.0 Token Exchange (RFC 8693): token type identifiers (§3), the `act`
// claim naming who acts for the subject (§4.1) and the `may_act` claim saying who may (§4.4).
import { invalidRequest } from '../errors.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'

export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

/** What a presented subject or actor token may be. */
export type PresentedTokenType = 'access_token' | 'id_token' | 'jwt'

/** What the client may ask to receive. */
export type IssuedTokenType = 'access_token' | 'id_token' | 'jwt'

const PRESENTED: ReadonlyMap<string, PresentedTokenType> = new Map([
  [ACCESS_TOKEN_TYPE, 'access_token'],
  [ID_TOKEN_TYPE, 'id_token'],
  [JWT_TOKEN_TYPE, 'jwt'],
])

export const TOKEN_TYPE_URI: Readonly<Record<IssuedTokenType, string>> = {
  access_token: ACCESS_TOKEN_TYPE,
  id_token: ID_TOKEN_TYPE,
  jwt: JWT_TOKEN_TYPE,
}

/**
 * The type of a presented token from its `*_token_type` parameter. RFC 8693 §2.2.2: a token type
 * the server does not support makes the request invalid (`invalid_request`).
 */
export function presentedTokenType(param: 'subject_token_type' | 'actor_token_type', value: string | undefined): PresentedTokenType {
  if (value === undefined || value === '') throw invalidRequest(`The request parameter '${param}' is missing.`)
  const type = PRESENTED.get(value)
  if (type === undefined) {
    throw invalidRequest(
      `The ${param} '${value}' is not supported; supported are: ${[...PRESENTED.keys()].join(', ')}.`,
    )
  }
  return type
}

/** The requested_token_type (§2.1); an access token when absent. Refresh tokens are never issued. */
export function requestedTokenType(value: string | undefined): IssuedTokenType {
  if (value === undefined || value === '' || value === ACCESS_TOKEN_TYPE) return 'access_token'
  if (value === JWT_TOKEN_TYPE) return 'jwt'
  if (value === ID_TOKEN_TYPE) return 'id_token'
  throw invalidRequest(
    `The requested_token_type '${value}' is not supported; supported are: ${ACCESS_TOKEN_TYPE}, ${JWT_TOKEN_TYPE}, ${ID_TOKEN_TYPE}.`,
  )
}

/** RFC 8693 §4.1: the acting party; a nested `act` is the one that acted before it. */
export interface ActClaim {
  sub: string
  iss?: string
  client_id?: string
  act?: ActClaim
  [claim: string]: unknown
}

/** Who presented themselves through the actor token. */
export interface Actor {
  subject: string
  /** Set for tokens from issuers other than Orthrus. */
  issuer?: string
  /** The client an Orthrus access token was issued to. */
  clientId?: string
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// Deep delegation chains only bloat tokens; a chain deeper than this is refused as malformed.
const MAX_ACT_DEPTH = 16

/**
 * A well-formed `act` claim from a verified token, or undefined when there is none. An `act`
 * that is present but not an object with a string `sub` makes the token unacceptable.
 */
export function parseAct(value: unknown, depth = 0): ActClaim | undefined {
  if (value === undefined) return undefined
  if (!isObject(value) || typeof value.sub !== 'string' || value.sub === '' || depth >= MAX_ACT_DEPTH) {
    throw invalidRequest("The token's 'act' claim is malformed.")
  }
  const out: ActClaim = { sub: value.sub }
  if (typeof value.iss === 'string') out.iss = value.iss
  if (typeof value.client_id === 'string') out.client_id = value.client_id
  const prior = parseAct(value.act, depth + 1)
  if (prior) out.act = prior
  return out
}

/**
 * The `act` of the issued token (§4.1): the current actor on top, the subject token's own `act`
 * (the chain of earlier actors) nested inside it.
 */
export function actClaim(actor: Actor, prior: ActClaim | undefined): ActClaim {
  const act: ActClaim = { sub: actor.subject }
  if (actor.issuer !== undefined) act.iss = actor.issuer
  if (actor.clientId !== undefined) act.client_id = actor.clientId
  if (prior) act.act = prior
  return act
}

/**
 * §4.4: when the subject token names who may act for its subject, the actor must be that party.
 * Every identifying claim `may_act` carries (`sub`, `iss`, `client_id`) must match the actor; a
 * `may_act` with none of them (or not an object) allows nobody.
 */
export function mayAct(mayActClaim: unknown, actor: Actor, defaultIssuer: string): boolean {
  if (mayActClaim === undefined) return true
  if (!isObject(mayActClaim)) return false
  const actual: Record<string, string | undefined> = {
    sub: actor.subject,
    iss: actor.issuer ?? defaultIssuer,
    client_id: actor.clientId,
  }
  let identified = false
  for (const name of ['sub', 'iss', 'client_id'] as const) {
    const wanted = mayActClaim[name]
    if (wanted === undefined) continue
    identified = true
    if (typeof wanted !== 'string' || wanted !== actual[name]) return false
  }
  return identified
}
