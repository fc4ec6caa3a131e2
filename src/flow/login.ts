// The login half of the flow: sending the browser to the login app (Hydra's
// requestAuthentication) and taking the login verifier back (verifyAuthentication).
import { randomUUID } from 'node:crypto'
import type { Client } from '../client/model.js'
import type { AuthorizeRequest } from '../oauth2/authorize.js'
import { accessDenied, deniedError, loginRequired } from '../oauth2/authorize-errors.js'
import { OAuthError, invalidClient, serverError } from '../oauth2/errors.js'
import { newFlowId } from './codec.js'
import { checkCsrf, checkNotExpired, csrfCookie, isDeviceFlow, sessionCookie, withQuery, type FlowContext } from './context.js'
import { loginCsrfCookie, type CookieInstruction, type CookieReader } from './cookies.js'
import { idTokenHintClaims } from './id-token-hint.js'
import { FlowState, LOGIN_DECIDED, toSeconds, type Flow, type LoginSession, type OidcContext } from './model.js'
import { toPage, type FlowResponse } from './outcome.js'
import { checkLoginAgainstRequest } from './prompt.js'
import type { TxStores } from '../unit-of-work.js'

export const LOGIN_VERIFIER_UNUSABLE = 'The login verifier has already been used, has not been granted, or is invalid.'

async function rememberedSession(ctx: FlowContext, cookies: CookieReader, now: Date): Promise<LoginSession | undefined> {
  const sid = cookies(ctx.settings.cookies.session)
  return sid === undefined || sid === '' ? undefined : ctx.store.getRememberedSession(sid, now)
}

/** Forgets the login the session cookie points to, and the cookie (Hydra's revokeAuthenticationSession). */
async function revokeSession(ctx: FlowContext, tx: TxStores, cookies: CookieReader, out: CookieInstruction[]): Promise<void> {
  const sid = cookies(ctx.settings.cookies.session)
  if (sid === undefined) return
  await tx.flows.deleteSession(sid)
  out.push(sessionCookie(ctx, null, 0))
}

function oidcContext(r: AuthorizeRequest, hint: Record<string, unknown> | undefined): OidcContext {
  const c: OidcContext = {}
  if (r.acrValues.length > 0) c.acr_values = [...r.acrValues]
  // authorize.ts checked it is a JSON object.
  if (r.claims !== '') c.claims = JSON.parse(r.claims) as Record<string, unknown>
  if (r.display !== '') c.display = r.display
  if (hint) c.id_token_hint_claims = hint
  if (r.loginHint !== '') c.login_hint = r.loginHint
  if (r.uiLocales.length > 0) c.ui_locales = [...r.uiLocales]
  return c
}

function newFlow(request: AuthorizeRequest, requestUrl: string, now: Date, session: LoginSession | undefined, context: OidcContext): Flow {
  return {
    id: newFlowId(),
    clientId: request.clientId,
    state: FlowState.LoginInitialized,
    requestedAt: toSeconds(now),
    requestUrl,
    request,
    requestedScope: [...request.scope],
    requestedAudience: [...request.audience],
    oidcContext: context,
    loginSkip: session !== undefined,
    subject: session?.subject ?? '',
    // A login without a remembered session still gets an id: it becomes the ID token's `sid`.
    loginSessionId: session?.id ?? randomUUID(),
    loginCsrf: newFlowId(),
    loginRemember: false,
    loginRememberFor: 0,
    loginExtendSessionLifespan: false,
    acr: '',
    amr: [],
    forcedSubjectIdentifier: '',
    context: {},
    identityProviderSessionId: session?.identityProviderSessionId ?? '',
    loginWasUsed: false,
    loginError: null,
    loginAuthenticatedAt: session ? session.authenticatedAt : null,
    consentChallengeId: null,
    consentSkip: false,
    consentCsrf: null,
    grantedScope: [],
    grantedAudience: [],
    consentRemember: false,
    consentRememberFor: 0,
    consentHandledAt: null,
    consentWasUsed: false,
    consentError: null,
    sessionIdToken: {},
    sessionAccessToken: {},
  }
}

/**
 * Starts a flow and sends the browser to the login app with a login_challenge. `claim` uses up
 * the one-time credential the flow starts from (a device verifier) in the unit that stores the
 * flow; it throws when the credential is spent.
 */
export async function startLogin(
  ctx: FlowContext,
  request: AuthorizeRequest,
  requestUrl: string,
  cookies: CookieReader,
  out: CookieInstruction[],
  claim?: (tx: TxStores) => Promise<void>,
): Promise<FlowResponse> {
  const now = ctx.now()
  const hint = request.idTokenHint === '' ? undefined : await idTokenHintClaims(ctx.keyRing, request.idTokenHint)
  const none = request.prompt.includes('none')
  // prompt=login: authenticate again whatever the browser remembers (OpenID Connect Core §3.1.2.1).
  let session = request.prompt.includes('login') ? undefined : await rememberedSession(ctx, cookies, now)
  if (session && request.maxAge !== null && session.authenticatedAt.getTime() + request.maxAge * 1000 < now.getTime()) {
    if (none) throw loginRequired("Request failed because prompt is set to 'none' and authentication time reached 'max_age'.")
    session = undefined
  }
  if (session && hint && hint.sub !== session.subject) {
    throw loginRequired('Request failed because subject claim from id_token_hint does not match subject from authentication session.')
  }
  if (!session && none) throw loginRequired("Prompt 'none' was requested, but no existing login session was found.")

  const flow = newFlow(request, requestUrl, now, session, oidcContext(request, hint))
  if (claim) {
    await ctx.units.transaction(async (tx) => {
      await claim(tx)
      await tx.flows.createFlow(flow)
    })
  } else {
    await ctx.store.createFlow(flow)
  }
  out.push(csrfCookie(ctx, loginCsrfCookie(ctx.settings.cookies, flow.clientId), flow.loginCsrf))
  const page = request.prompt.includes('registration') ? ctx.settings.registrationUrl : ctx.settings.loginUrl
  return toPage(withQuery(page, { login_challenge: ctx.codec.encode('login_challenge', flow.id) }))
}

async function rememberLogin(ctx: FlowContext, tx: TxStores, flow: Flow, authTime: Date, cookies: CookieReader, out: CookieInstruction[]) {
  const now = ctx.now()
  const ttl = ctx.settings.sessionTtlMs
  const lifespan = flow.loginRememberFor > 0 ? Math.min(flow.loginRememberFor * 1000, ttl) : ttl
  const expiresAt = new Date(now.getTime() + lifespan)
  if (!flow.loginSkip) {
    const created = await tx.flows.createSession({
      id: flow.loginSessionId,
      subject: flow.subject,
      authenticatedAt: authTime,
      remember: flow.loginRemember,
      identityProviderSessionId: flow.identityProviderSessionId,
      expiresAt,
    })
    if (!created) throw accessDenied('The login verifier has already been used.')
    // Not remembered: whatever login the browser remembered so far is over.
    if (!flow.loginRemember) await revokeSession(ctx, tx, cookies, out)
  }
  // A skipped login keeps its cookie (and expiry) unless the login app asked to extend it.
  if (!flow.loginRemember || (flow.loginSkip && !flow.loginExtendSessionLifespan)) return
  if (flow.loginSkip) await tx.flows.extendSession(flow.loginSessionId, expiresAt)
  out.push(sessionCookie(ctx, flow.loginSessionId, Math.floor(lifespan / 1000)))
}

/** How a login verifier is taken back at the device verification endpoint. */
export interface DeviceLogin {
  /** Decides the device code denied, in the unit that uses up a rejected login's verifier. */
  denied(tx: TxStores): Promise<unknown>
}

/** The login app's decision as it stands: refused (with the error to answer), or authenticated at a time. */
function loginOutcome(flow: Flow): { refused: OAuthError } | { refused?: undefined; authTime: Date } {
  if (flow.loginError) return { refused: deniedError(flow.loginError) }
  const authTime = flow.loginAuthenticatedAt
  if (!authTime) throw serverError('The handled login request has no authenticated_at.')
  try {
    checkLoginAgainstRequest(flow, authTime)
  } catch (e) {
    if (e instanceof OAuthError) return { refused: e }
    throw e
  }
  return { authTime }
}

/**
 * Takes the login verifier back: checks it belongs to this client and browser and has not been
 * used, consumes it, and applies the login app's decision. Returns the flow, ready for consent.
 * `device` is given at the device verification endpoint: each endpoint takes only the verifiers
 * of its own flows.
 */
export async function finishLogin(
  ctx: FlowContext,
  client: Client,
  verifier: string,
  cookies: CookieReader,
  out: CookieInstruction[],
  device?: DeviceLogin,
): Promise<Flow> {
  const id = ctx.codec.decode('login_verifier', verifier)
  if (id === undefined) throw accessDenied('The login verifier is invalid.')
  const flow = await ctx.store.getFlow(id)
  if (!flow || isDeviceFlow(ctx.settings, flow) !== (device !== undefined)) throw accessDenied(LOGIN_VERIFIER_UNUSABLE)
  if (flow.clientId !== client.client_id) throw invalidClient('The flow client id does not match the authorize request client id.')
  checkNotExpired(ctx, flow, 'login')
  // Checked before the verifier is consumed, so a stolen verifier cannot burn the victim's flow.
  checkCsrf(cookies(loginCsrfCookie(ctx.settings.cookies, flow.clientId)), flow.loginCsrf)
  if (!LOGIN_DECIDED.includes(flow.state)) throw accessDenied(LOGIN_VERIFIER_UNUSABLE)
  const outcome = loginOutcome(flow)
  // The verifier is used up and the decision applied (session remembered, extended or forgotten;
  // a device code denied) in one unit. A refused login uses the verifier up too; its error is
  // answered once the unit committed. Cookies are handed out only then, as a unit may run again.
  const done = await ctx.units.transaction(async (tx) => {
    const set: CookieInstruction[] = []
    if (!(await tx.flows.transition(flow.id, LOGIN_DECIDED, { state: FlowState.LoginUsed, loginWasUsed: true }))) {
      throw accessDenied(LOGIN_VERIFIER_UNUSABLE)
    }
    if (outcome.refused === undefined) {
      await rememberLogin(ctx, tx, flow, outcome.authTime, cookies, set)
    } else if (flow.loginError) {
      await device?.denied(tx)
    } else if (outcome.refused.error === 'login_required') {
      // Something about the session does not add up: forget it, to be safe (as Hydra does).
      await revokeSession(ctx, tx, cookies, set)
    }
    return set
  })
  out.push(...done)
  if (outcome.refused) throw outcome.refused
  return { ...flow, state: FlowState.LoginUsed, loginWasUsed: true }
}
