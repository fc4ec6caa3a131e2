// The consent half of the flow: sending the browser to the consent app (Hydra's requestConsent),
// and taking the consent verifier back to issue the authorization code (verifyConsent).
import { isPublicClient, type Client } from '../client/model.js'
import { accessDenied, consentRequired, deniedError } from '../oauth2/authorize-errors.js'
import type { CodeGrant } from '../oauth2/authorize-code.js'
import type { AuthorizeCodeSession } from '../oauth2/code-store.js'
import { authorizeResponseParams, storeAuthorizeResponse } from '../oauth2/authorize-issue.js'
import { respondToClient } from '../oauth2/authorize-response.js'
import { invalidClient, invalidScope, serverError } from '../oauth2/errors.js'
import { identifiesClient } from '../oauth2/redirect.js'
import { newFlowId } from './codec.js'
import { checkCsrf, checkNotExpired, csrfCookie, isDeviceFlow, withQuery, type FlowContext } from './context.js'
import { consentCsrfCookie, type CookieInstruction, type CookieReader } from './cookies.js'
import { CONSENT_DECIDED, FlowState, type Flow } from './model.js'
import { toClient, toPage, type FlowResponse } from './outcome.js'

export const CONSENT_VERIFIER_UNUSABLE = 'The consent verifier has already been used, has not been granted, or is invalid.'

/**
 * A consent verifier may be used once, after the consent app decided: refuses it otherwise, and
 * returns when the end-user authenticated.
 */
export function decidedConsentAuthTime(flow: Flow): Date {
  if (!CONSENT_DECIDED.includes(flow.state)) throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
  const authTime = flow.loginAuthenticatedAt
  if (!authTime) throw serverError('The consent request has no authenticated_at.')
  return authTime
}

/** The session a consented flow's tokens carry: the login's authentication and the consent's extra claims. */
export function consentedSession(flow: Flow, authTime: Date, request: { nonce: string; claims: string }): AuthorizeCodeSession {
  return {
    accessTokenExtra: flow.sessionAccessToken,
    idTokenExtra: flow.sessionIdToken,
    authTime: Math.floor(authTime.getTime() / 1000),
    requestedAt: Math.floor(flow.requestedAt.getTime() / 1000),
    acr: flow.acr,
    amr: [...flow.amr],
    sid: flow.loginSessionId,
    nonce: request.nonce,
    forcedSubjectIdentifier: flow.forcedSubjectIdentifier,
    claims: request.claims,
  }
}

/** Whether a consent's remember_for has not run out (0: forever). Also filters the admin session list. */
export function stillRemembered(previous: Flow, now: Date): boolean {
  if (previous.consentRememberFor <= 0) return true
  const from = (previous.consentHandledAt ?? previous.requestedAt).getTime()
  return from + previous.consentRememberFor * 1000 >= now.getTime()
}

/** Whether an earlier remembered consent of this user for this client covers every requested scope. */
async function canSkipConsent(ctx: FlowContext, flow: Flow, client: Client): Promise<boolean> {
  const request = flow.request
  if (request.prompt.includes('consent')) return false
  // RFC 6749 §10.2 / RFC 8252 §8.6: a public client whose redirect does not prove its identity
  // is asked again, as if nothing had been approved before.
  if (isPublicClient(client) && !identifiesClient(request.redirectUri)) return false
  const previous = await ctx.store.findRememberedConsent(flow.subject, flow.clientId)
  if (!previous || !stillRemembered(previous, ctx.now())) return false
  return request.scope.every((s) => ctx.validation.scopeMatcher(previous.grantedScope, s))
}

/** Moves a logged-in flow to consent and sends the browser to the consent app. */
export async function startConsent(ctx: FlowContext, flow: Flow, client: Client, out: CookieInstruction[]): Promise<FlowResponse> {
  const skip = await canSkipConsent(ctx, flow, client)
  if (flow.request.prompt.includes('none') && !skip) {
    throw consentRequired("Prompt 'none' was requested, but no previous consent was found.")
  }
  const consentChallengeId = newFlowId()
  const consentCsrf = newFlowId()
  const moved = await ctx.store.transition(flow.id, [FlowState.LoginUsed], {
    state: FlowState.ConsentInitialized,
    consentChallengeId,
    consentSkip: skip,
    consentCsrf,
  })
  if (!moved) throw accessDenied('The login verifier has already been used.')
  out.push(csrfCookie(ctx, consentCsrfCookie(ctx.settings.cookies, flow.clientId), consentCsrf))
  return toPage(withQuery(ctx.settings.consentUrl, { consent_challenge: ctx.codec.encode('consent_challenge', consentChallengeId) }))
}

/**
 * Takes the consent verifier back: checks it belongs to this client and browser, consumes it and,
 * when consent was given, issues what the response type asks for (a single-use code, an access
 * token, an ID token) and sends it to the client.
 */
export async function finishConsent(
  ctx: FlowContext,
  client: Client,
  verifier: string,
  cookies: CookieReader,
): Promise<FlowResponse> {
  const consentId = ctx.codec.decode('consent_verifier', verifier)
  if (consentId === undefined) throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
  const flow = await ctx.store.getFlowByConsentChallenge(consentId)
  // A device flow's consent ends at the device verification endpoint (flow/device.ts).
  if (!flow || isDeviceFlow(ctx.settings, flow)) throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
  if (flow.clientId !== client.client_id) throw invalidClient('The flow client id does not match the authorize request client id.')
  checkNotExpired(ctx, flow, 'consent')
  checkCsrf(cookies(consentCsrfCookie(ctx.settings.cookies, flow.clientId)), flow.consentCsrf)
  const authTime = decidedConsentAuthTime(flow)
  const now = ctx.now()
  const r = flow.request
  // OpenID Connect Core §3.2.2.5 / §3.3.2.5: an ID token needs the openid scope granted.
  if (!flow.consentError && r.responseTypes.includes('id_token') && !flow.grantedScope.includes('openid')) {
    throw invalidScope("The response_type asks for an ID token, but the 'openid' scope was not granted.")
  }
  const grant: CodeGrant & { client: Client } = {
    client,
    request: r,
    subject: flow.subject,
    requestedAt: flow.requestedAt,
    grantedScope: flow.grantedScope,
    grantedAudience: flow.grantedAudience,
    consentChallengeId: consentId,
    session: consentedSession(flow, authTime, r),
  }

  // Consuming the verifier and storing the code and access token commit together: nothing is
  // issued without a used flow, no used flow's issue is lost.
  const issuers = ctx.issuers
  const stored = await ctx.units.transaction(async (tx) => {
    if (!(await tx.flows.transition(flow.id, CONSENT_DECIDED, { state: FlowState.ConsentUsed, consentWasUsed: true }))) {
      throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
    }
    if (flow.consentError) return undefined
    return storeAuthorizeResponse(grant, tx, { opaque: ctx.opaque, codeLifespanMs: ctx.settings.authCodeTtlMs, now, issuers })
  })
  if (!stored) throw deniedError(flow.consentError ?? { error: '', error_description: '', error_hint: '', error_debug: '', status_code: 0 })
  const params = await authorizeResponseParams(grant, stored, { issuers, now })
  const target = { redirectUri: r.redirectUri, responseMode: r.responseMode, state: r.state }
  // RFC 9207 §2: the issuer goes with the response, so the client can tell which server sent it.
  return toClient(respondToClient(target, { ...params, state: r.state, iss: ctx.settings.issuer }))
}
