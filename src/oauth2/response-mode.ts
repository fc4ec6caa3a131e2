// Which response types this server answers and where their response goes (OAuth 2.0 Multiple
// Response Type Encoding Practices §2.1, §5; OpenID Connect Core §3.2, §3.3; OAuth 2.0 Form Post
// Response Mode §2).
import type { Client } from '../client/model.js'
import type { ResponseMode } from './authorize-response.js'
import { unsupportedResponseType } from './authorize-errors.js'
import { invalidRequest, unauthorizedClient } from './errors.js'

/** Every combination advertised in discovery (response_types_supported). */
export const RESPONSE_TYPES_SUPPORTED: readonly string[] = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
  'token',
]

export const RESPONSE_MODES_SUPPORTED: readonly ResponseMode[] = ['query', 'fragment', 'form_post']

const WORDS = new Set(['code', 'token', 'id_token'])

/** Whether any part of the response travels in the front channel as a token. */
export const returnsTokens = (responseTypes: readonly string[]): boolean =>
  responseTypes.includes('token') || responseTypes.includes('id_token')

/**
 * Multiple Response Types §2.1 / §5: `code` alone defaults to `query`; anything that returns a
 * token or ID token from this endpoint defaults to `fragment`.
 */
export function defaultResponseMode(responseTypes: readonly string[]): ResponseMode {
  return returnsTokens(responseTypes) ? 'fragment' : 'query'
}

/**
 * Multiple Response Types §2.1: "the default Response Mode for this Response Type is the
 * fragment encoding and the query encoding MUST NOT be used" whenever a token is returned —
 * tokens in a query string end up in server logs and Referer headers.
 */
export function checkResponseMode(mode: ResponseMode, responseTypes: readonly string[]): void {
  if (mode === 'query' && returnsTokens(responseTypes)) {
    throw invalidRequest(
      `The response_mode 'query' must not be used with response_type '${responseTypes.join(' ')}': tokens are never sent in the query.`,
    )
  }
}

/**
 * The response type must be one this server implements and, per grant, one the client may use:
 * `token` and the implicit OpenID Connect flow (§3.2) need the `implicit` grant, the hybrid flow
 * (§3.3) needs `authorization_code` for its code.
 */
export function checkResponseTypeGrants(responseTypes: readonly string[], client: Pick<Client, 'grant_types'>): void {
  const unknown = responseTypes.find((w) => !WORDS.has(w))
  if (unknown !== undefined || new Set(responseTypes).size !== responseTypes.length) {
    throw unsupportedResponseType(`The response_type '${responseTypes.join(' ')}' is not supported.`)
  }
  const hasCode = responseTypes.includes('code')
  const implicit = responseTypes.includes('token') || !hasCode
  if (implicit && !client.grant_types.includes('implicit')) {
    throw unauthorizedClient("The OAuth 2.0 Client is not allowed to use the authorization grant 'implicit'.")
  }
  if (hasCode && responseTypes.length > 1 && !client.grant_types.includes('authorization_code')) {
    throw unauthorizedClient("The OAuth 2.0 Client is not allowed to use the authorization grant 'authorization_code'.")
  }
}
