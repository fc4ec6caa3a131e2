// What a step of the authorization endpoint decided, for the HTTP edge to carry out.
import type { ClientResponse } from '../oauth2/authorize-response.js'
import type { CookieInstruction } from './cookies.js'

export type FlowResponse =
  /** 302 to the login, consent or error page (as Hydra); 303 to the client (as fosite). */
  | { kind: 'redirect'; status: 302 | 303; location: string }
  | { kind: 'form_post'; action: string; params: Array<[string, string]> }

export interface AuthorizeOutcome {
  response: FlowResponse
  cookies: CookieInstruction[]
}

/** A redirect to one of the server's own pages (login, consent, error). */
export const toPage = (location: string): FlowResponse => ({ kind: 'redirect', status: 302, location })

/** A response delivered to the client's redirect URI. */
export function toClient(r: ClientResponse): FlowResponse {
  return r.kind === 'redirect' ? { kind: 'redirect', status: 303, location: r.location } : r
}
