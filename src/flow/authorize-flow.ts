// The authorization endpoint as a state machine over three kinds of visit: a new request, the
// return from the login app (login_verifier) and the return from the consent app
// (consent_verifier). Each visit re-validates the request parameters, as Hydra does, so an error
// can always be sent to a redirect URI the client registered; nothing else is trusted from them.
import type { AuthorizeParams } from '../oauth2/authorize-params.js'
import { validateAuthorizeRequest } from '../oauth2/authorize.js'
import { errorPageLocation, errorToClient, type RedirectTarget } from '../oauth2/authorize-response.js'
import { OAuthError, invalidRequest } from '../oauth2/errors.js'
import { isPushedRequestUri, pushedRequestRequired, type PushedAuthorizations } from '../oauth2/par.js'
import { finishConsent, startConsent } from './consent.js'
import type { FlowContext } from './context.js'
import type { CookieInstruction, CookieReader } from './cookies.js'
import { finishLogin, startLogin } from './login.js'
import { toClient, toPage, type AuthorizeOutcome, type FlowResponse } from './outcome.js'

export interface AuthorizeInput {
  /** Query and (for POST) form parameters together. */
  params: AuthorizeParams
  /** The query string exactly as received, for request_url; absent when the parameters came in a form body. */
  rawQuery?: string
  cookies: CookieReader
}

export class AuthorizationFlow {
  constructor(
    private readonly ctx: FlowContext,
    /** RFC 9126 pushed authorization requests; without them a urn request_uri is an ordinary one. */
    private readonly pushed?: PushedAuthorizations,
  ) {}

  private fail(err: OAuthError, target: RedirectTarget | undefined): FlowResponse {
    const { issuer, errorUrl, exposeDebug } = this.ctx.settings
    // RFC 6749 §4.1.2.1: without a trusted redirect URI the user sees the error, the client does not.
    if (!target) return toPage(errorPageLocation(errorUrl, err, exposeDebug))
    return toClient(errorToClient(target, err, issuer, exposeDebug))
  }

  private requestUrl(input: AuthorizeInput): string {
    const query = input.rawQuery ?? input.params.toQuery()
    return query === '' ? this.ctx.settings.authorizeUrl : `${this.ctx.settings.authorizeUrl}?${query}`
  }

  async authorize(given: AuthorizeInput): Promise<AuthorizeOutcome> {
    const cookies: CookieInstruction[] = []
    let input = given
    const firstVisit = !given.params.has('login_verifier') && !given.params.has('consent_verifier')
    let pushed = false
    if (this.pushed && firstVisit && isPushedRequestUri(given.params.get('request_uri'))) {
      // RFC 9126 §4: the pushed parameters replace the query. The login and consent steps come
      // back to the authorization URL with them spelled out, so the request_uri is used once.
      try {
        input = { params: await this.pushed.resolve(given.params), cookies: given.cookies }
      } catch (e) {
        if (e instanceof OAuthError) return { response: this.fail(e, undefined), cookies }
        throw e
      }
      pushed = true
    }
    const v = await validateAuthorizeRequest(input.params, { ...this.ctx.validation, getClient: (id) => this.ctx.clients.get(id) })
    if (!v.ok) return { response: this.fail(v.error, v.target), cookies }
    try {
      const loginVerifier = input.params.get('login_verifier')
      const consentVerifier = input.params.get('consent_verifier')
      let response: FlowResponse
      // A verifier belongs to a flow whose first visit passed this check; it is never repeated.
      if (firstVisit && !pushed && pushedRequestRequired(this.ctx.settings.requirePushedRequests, v.client)) {
        throw invalidRequest('Pushed Authorization Requests are required: push the request to the pushed authorization request endpoint first (RFC 9126).')
      }
      if (loginVerifier !== '' && consentVerifier !== '') {
        throw invalidRequest("The parameters 'login_verifier' and 'consent_verifier' cannot be used together.")
      } else if (consentVerifier !== '') {
        response = await finishConsent(this.ctx, v.client, consentVerifier, input.cookies)
      } else if (loginVerifier !== '') {
        const flow = await finishLogin(this.ctx, v.client, loginVerifier, input.cookies, cookies)
        response = await startConsent(this.ctx, flow, v.client, cookies)
      } else {
        response = await startLogin(this.ctx, v.request, this.requestUrl(input), input.cookies, cookies)
      }
      return { response, cookies }
    } catch (e) {
      if (e instanceof OAuthError) return { response: this.fail(e, v.target), cookies }
      throw e
    }
  }
}
