// Delivering an authorization response or error to the client's redirect URI (RFC 6749 §4.1.2,
// OAuth 2.0 Multiple Response Types §2, Form Post Response Mode), or to the error page when the
// redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
import type { OAuthError } from './errors.js'

export type ResponseMode = 'query' | 'fragment' | 'form_post'

/** Where the outcome of a validated request goes. */
export interface RedirectTarget {
  redirectUri: string
  responseMode: ResponseMode
  state: string
}

export type ClientResponse =
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; params: Array<[string, string]> }

// Go's url.Values.Encode, which fosite uses, sorts by name: the same URL comes out here.
function encodeSorted(params: URLSearchParams): string {
  params.sort()
  return params.toString()
}

/** `params` delivered to the target; registered query parameters are kept (RFC 6749 §3.1.2). */
export function respondToClient(target: RedirectTarget, params: Readonly<Record<string, string>>): ClientResponse {
  if (target.responseMode === 'form_post') {
    return { kind: 'form_post', action: target.redirectUri, params: Object.entries(params) }
  }
  const url = new URL(target.redirectUri)
  if (target.responseMode === 'fragment') {
    url.hash = ''
    return { kind: 'redirect', location: `${url.href}#${encodeSorted(new URLSearchParams(Object.entries(params)))}` }
  }
  const query = new URLSearchParams(url.search)
  for (const [name, value] of Object.entries(params)) query.set(name, value)
  url.search = encodeSorted(query)
  return { kind: 'redirect', location: url.href }
}

/** The wire form of an error in a redirect: the description carries the hint (fosite's format). */
export function errorParams(err: OAuthError, exposeDebug: boolean): Record<string, string> {
  const parts = [err.description, err.hint]
  if (exposeDebug) parts.push(err.debug)
  return {
    error: err.error,
    error_description: parts.filter((p): p is string => p !== undefined && p !== '').join(' '),
  }
}

/** RFC 6749 §4.1.2.1 with RFC 9207: error, description, state and the issuer. */
export function errorToClient(target: RedirectTarget, err: OAuthError, issuer: string, exposeDebug: boolean): ClientResponse {
  return respondToClient(target, { ...errorParams(err, exposeDebug), state: target.state, iss: issuer })
}

/** Hydra's forwardError: the error page gets error and error_description in its query. */
export function errorPageLocation(errorUrl: string, err: OAuthError, exposeDebug: boolean): string {
  const url = new URL(errorUrl)
  for (const [name, value] of Object.entries(errorParams(err, exposeDebug))) url.searchParams.set(name, value)
  return url.href
}
