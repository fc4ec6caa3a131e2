// The browser half of the Device Authorization Grant (RFC 8628 §3.3), as Hydra runs it:
//   GET /oauth2/device/verify             -> a device challenge; to urls.device.verification
//   admin PUT .../device/accept {user_code} -> binds the user code; redirect_to the device verifier
//   GET /oauth2/device/verify?device_verifier -> the normal login and consent flow starts, with
//                                             the device request's client, scopes and audiences
//   ...?login_verifier / ?consent_verifier  -> as at /oauth2/auth; the consent decides the device
//                                             code (authorized or denied), then urls.device.success
// A CSRF cookie binds the challenge to the browser, as the login and consent ones bind theirs.
// A wrong user code counts against the challenge; after MAX_USER_CODE_ATTEMPTS it is dead.
import { accessDenied, deniedError, requestUnauthorized } from '../oauth2/authorize-errors.js'
import type { AuthorizeRequest } from '../oauth2/authorize.js'
import { errorPageLocation } from '../oauth2/authorize-response.js'
import {
  DeviceChallengeState,
  DeviceStatus,
  type DeviceCodeRecord,
  type DeviceCodes,
} from '../oauth2/device-code.js'
import { OAuthError, conflict, invalidClient, invalidRequest, notFound, resourceNotFound } from '../oauth2/errors.js'
import type { AutocommitStores } from '../unit-of-work.js'
import type { RedirectTo } from './admin.js'
import { newFlowId } from './codec.js'
import { CONSENT_VERIFIER_UNUSABLE, consentedSession, decidedConsentAuthTime, startConsent } from './consent.js'
import { checkCsrf, checkNotExpired, csrfCookie, isDeviceFlow, withQuery, type FlowContext } from './context.js'
import { consentCsrfCookie, type CookieInstruction, type CookieReader } from './cookies.js'
import { finishLogin, startLogin } from './login.js'
import { CONSENT_DECIDED, FlowState, type Flow } from './model.js'
import { toPage, type AuthorizeOutcome, type FlowResponse } from './outcome.js'

/** Wrong user codes one device challenge tolerates before it is dead. */
export const MAX_USER_CODE_ATTEMPTS = 5

/**
 * New device challenges per client address and window
 * (oauth2.device_authorization.verification_budget.*): each brings MAX_USER_CODE_ATTEMPTS
 * guesses, so this bounds the guesses one address gets (by default 300 per 10 minutes, against
 * about 2.6e10 possible user codes). The address is request.ip: the X-Forwarded-For client only
 * behind a trusted proxy (http/proxy.ts), else the peer. Kept in memory per process, with a
 * bounded number of addresses.
 */
export class ChallengeBudget {
  private readonly spent = new Map<string, { count: number; since: number }>()

  constructor(
    private readonly limit = 60,
    private readonly windowMs = 10 * 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** False when `address` used up its budget for the current window. */
  take(address: string, now: number): boolean {
    const entry = this.spent.get(address)
    if (!entry || now - entry.since >= this.windowMs) {
      this.spent.delete(address)
      // Oldest first: Map keeps insertion order, so the first key is the oldest window.
      if (this.spent.size >= this.maxAddresses) {
        const oldest = this.spent.keys().next().value
        if (oldest !== undefined) this.spent.delete(oldest)
      }
      this.spent.set(address, { count: 1, since: now })
      return true
    }
    if (entry.count >= this.limit) return false
    entry.count++
    return true
  }
}

export interface DeviceFlowSettings {
  /** urls.device.verification: the operator's page that asks for the user code. */
  verificationUrl: string
  /** urls.device.success: where the browser goes once the device is authorized. */
  successUrl: string
  /** serve.cookies.names.device_csrf. */
  csrfCookie: string
  /** ttl.device_user_code (ms): how long a device challenge may take. */
  lifespanMs: number
}

export interface DeviceFlowDeps {
  ctx: FlowContext
  /** Device reads and single-statement writes; the multi-step ones run in a unit (ctx.units). */
  store: AutocommitStores['device']
  codes: DeviceCodes
  settings: DeviceFlowSettings
  budget?: ChallengeBudget
}

const REQUEST_PARAM = 'device_request'
const DEVICE_VERIFIER_UNUSABLE = 'The device verifier has already been used, has not been granted, or is invalid.'

/** The authorization request a device flow's login and consent work with: no redirect, no response type. */
function deviceRequest(rec: DeviceCodeRecord): AuthorizeRequest {
  return {
    clientId: rec.clientId,
    responseTypes: [],
    responseMode: 'query',
    redirectUri: '',
    redirectUriParam: '',
    state: '',
    scope: [...rec.requestedScope],
    audience: [...rec.requestedAudience],
    nonce: '',
    prompt: [],
    maxAge: null,
    idTokenHint: '',
    loginHint: '',
    acrValues: [],
    uiLocales: [],
    display: '',
    claims: '',
    codeChallenge: '',
    codeChallengeMethod: '',
  }
}

function single(params: URLSearchParams, name: string): string {
  const all = params.getAll(name)
  if (all.length > 1) throw invalidRequest(`The parameter '${name}' must only be included once.`)
  return all[0] ?? ''
}

export class DeviceFlow {
  private readonly budget: ChallengeBudget

  constructor(private readonly d: DeviceFlowDeps) {
    this.budget = d.budget ?? new ChallengeBudget()
  }

  private get ctx(): FlowContext {
    return this.d.ctx
  }

  /** GET /oauth2/device/verify: every visit of the browser. Errors go to the error page. */
  async verify(params: URLSearchParams, cookies: CookieReader, address = ''): Promise<AuthorizeOutcome> {
    const out: CookieInstruction[] = []
    try {
      const deviceVerifier = single(params, 'device_verifier')
      const loginVerifier = single(params, 'login_verifier')
      const consentVerifier = single(params, 'consent_verifier')
      const given = [deviceVerifier, loginVerifier, consentVerifier].filter((v) => v !== '').length
      if (given > 1) throw invalidRequest('Only one of device_verifier, login_verifier and consent_verifier may be used at a time.')
      let response: FlowResponse
      if (consentVerifier !== '') response = await this.finishConsent(consentVerifier, cookies)
      else if (loginVerifier !== '') response = await this.continueLogin(loginVerifier, cookies, out)
      else if (deviceVerifier !== '') response = await this.startFlow(deviceVerifier, cookies, out)
      else response = await this.newChallenge(single(params, 'user_code'), address, out)
      return { response, cookies: out }
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e
      const { errorUrl, exposeDebug } = this.ctx.settings
      return { response: toPage(errorPageLocation(errorUrl, e, exposeDebug)), cookies: out }
    }
  }

  private async newChallenge(userCode: string, address: string, out: CookieInstruction[]): Promise<FlowResponse> {
    const now = this.ctx.now()
    if (!this.budget.take(address, now.getTime())) {
      throw new OAuthError('temporarily_unavailable', 'Too many device verifications were started from this address; try again later.', 429)
    }
    const id = newFlowId()
    const csrf = newFlowId()
    await this.d.store.createChallenge({
      id,
      csrf,
      state: DeviceChallengeState.Open,
      failedAttempts: 0,
      deviceSignature: null,
      requestedAt: now,
      expiresAt: new Date(now.getTime() + this.d.settings.lifespanMs),
    })
    out.push({ ...csrfCookie(this.ctx, this.d.settings.csrfCookie, csrf), maxAge: Math.floor(this.d.settings.lifespanMs / 1000) })
    const query: Record<string, string> = { device_challenge: this.ctx.codec.encode('device_challenge', id) }
    // verification_uri_complete: the page may prefill the code; only a well-formed one is passed on.
    const normalized = this.d.codes.userCodes.normalize(userCode)
    if (normalized !== undefined) query.user_code = this.d.codes.userCodes.display(normalized)
    return toPage(withQuery(this.d.settings.verificationUrl, query))
  }

  /** Admin PUT /admin/oauth2/auth/requests/device/accept?device_challenge=… {user_code}. */
  async acceptUserCode(challenge: string | undefined, body: unknown): Promise<RedirectTo> {
    if (challenge === undefined || challenge === '') {
      throw invalidRequest("Query parameter 'device_challenge' is not defined but should have been.")
    }
    const id = this.ctx.codec.decode('device_challenge', challenge)
    if (id === undefined) throw resourceNotFound()
    const userCode = parseAcceptUserCode(body)
    const ch = await this.d.store.getChallenge(id)
    if (!ch) throw notFound('The device challenge could not be found.')
    const now = this.ctx.now()
    if (ch.expiresAt.getTime() <= now.getTime()) throw requestUnauthorized('The device challenge has expired, please start over.')
    if (ch.state !== DeviceChallengeState.Open) throw conflict('The device challenge was already used and can no longer be changed.')
    if (ch.failedAttempts >= MAX_USER_CODE_ATTEMPTS) throw tooManyAttempts()

    const normalized = this.d.codes.userCodes.normalize(userCode)
    const rec = normalized === undefined ? undefined : await this.d.store.getByUserSignature(this.d.codes.userSignatureOf(normalized))
    const usable = rec !== undefined && rec.expiresAt.getTime() > now.getTime() && rec.status === DeviceStatus.Pending && !rec.userCodeUsed
    // Claiming flips the user code once: a code is accepted by one challenge only. The claim and
    // the challenge's acceptance commit together: a challenge that cannot take the code leaves
    // it unclaimed.
    const claimed =
      usable &&
      (await this.ctx.units.transaction(async (tx) => {
        if (!(await tx.device.claimUserCode(rec.deviceSignature))) return false
        if (!(await tx.device.acceptChallenge(id, rec.deviceSignature))) {
          throw conflict('The device challenge was already used and can no longer be changed.')
        }
        return true
      }))
    if (!claimed) {
      if (!(await this.d.store.countFailure(id, MAX_USER_CODE_ATTEMPTS))) throw tooManyAttempts()
      const left = MAX_USER_CODE_ATTEMPTS - ch.failedAttempts - 1
      // The description is meant for the person typing: the verification page may show it as is.
      throw new OAuthError(
        'invalid_request',
        left > 0
          ? `The user code is invalid, has expired or was already used; ${left} attempt(s) left.`
          : 'The user code is invalid, has expired or was already used; no attempts left, start over.',
        400,
      )
    }
    return { redirect_to: withQuery(this.ctx.settings.deviceVerifyUrl, { device_verifier: this.ctx.codec.encode('device_verifier', id) }) }
  }

  /** The device verifier: the user code is bound, the normal login and consent flow starts. */
  private async startFlow(verifier: string, cookies: CookieReader, out: CookieInstruction[]): Promise<FlowResponse> {
    const id = this.ctx.codec.decode('device_verifier', verifier)
    if (id === undefined) throw accessDenied('The device verifier is invalid.')
    const ch = await this.d.store.getChallenge(id)
    if (!ch) throw accessDenied(DEVICE_VERIFIER_UNUSABLE)
    if (ch.expiresAt.getTime() <= this.ctx.now().getTime()) throw requestUnauthorized('The device request has expired, please try again.')
    // Checked before the verifier is consumed, so a stolen verifier cannot burn the victim's flow.
    checkCsrf(cookies(this.d.settings.csrfCookie), ch.csrf)
    if (ch.state !== DeviceChallengeState.Accepted || ch.deviceSignature === null) throw accessDenied(DEVICE_VERIFIER_UNUSABLE)
    const rec = await this.d.store.getByDeviceSignature(ch.deviceSignature)
    if (!rec || rec.status !== DeviceStatus.Pending) throw accessDenied(DEVICE_VERIFIER_UNUSABLE)
    if (rec.expiresAt.getTime() <= this.ctx.now().getTime()) throw requestUnauthorized('The user code has expired, please try again.')
    const requestUrl = withQuery(this.ctx.settings.deviceVerifyUrl, { [REQUEST_PARAM]: rec.requestId })
    // The verifier is used up by the unit that stores the new flow: never spent without a flow.
    return startLogin(this.ctx, deviceRequest(rec), requestUrl, cookies, out, async (tx) => {
      if (!(await tx.device.useChallenge(id))) throw accessDenied(DEVICE_VERIFIER_UNUSABLE)
    })
  }

  /** The device request a flow belongs to; only the stored request_url is trusted, never the browser. */
  private async deviceOf(flow: Flow): Promise<DeviceCodeRecord> {
    if (!isDeviceFlow(this.ctx.settings, flow)) throw accessDenied('The verifier does not belong to a device flow.')
    const requestId = new URL(flow.requestUrl).searchParams.get(REQUEST_PARAM) ?? ''
    const rec = requestId === '' ? undefined : await this.d.store.getByRequestId(requestId)
    if (!rec || rec.clientId !== flow.clientId) throw accessDenied('The device authorization request could not be found.')
    return rec
  }

  private async clientOf(flow: Flow) {
    const client = await this.ctx.clients.get(flow.clientId)
    if (!client) throw invalidClient('The OAuth 2.0 client of the device request no longer exists.')
    return client
  }

  private async continueLogin(verifier: string, cookies: CookieReader, out: CookieInstruction[]): Promise<FlowResponse> {
    const id = this.ctx.codec.decode('login_verifier', verifier)
    const flow = id === undefined ? undefined : await this.ctx.store.getFlow(id)
    if (!flow) throw accessDenied('The login verifier is invalid.')
    const rec = await this.deviceOf(flow)
    const client = await this.clientOf(flow)
    // A rejected login decides the device code denied: the device learns it at its next poll.
    const loggedIn = await finishLogin(this.ctx, client, verifier, cookies, out, {
      denied: (tx) => tx.device.decide(rec.deviceSignature, 'denied'),
    })
    return startConsent(this.ctx, loggedIn, client, out)
  }

  private async finishConsent(verifier: string, cookies: CookieReader): Promise<FlowResponse> {
    const consentId = this.ctx.codec.decode('consent_verifier', verifier)
    const flow = consentId === undefined ? undefined : await this.ctx.store.getFlowByConsentChallenge(consentId)
    if (consentId === undefined || !flow) throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
    const rec = await this.deviceOf(flow)
    checkNotExpired(this.ctx, flow, 'consent')
    checkCsrf(cookies(consentCsrfCookie(this.ctx.settings.cookies, flow.clientId)), flow.consentCsrf)
    const authTime = decidedConsentAuthTime(flow)
    const expired = rec.expiresAt.getTime() <= this.ctx.now().getTime()
    // The consent verifier is used up and the device code decided in one unit: a verifier is
    // never spent on a device code that stayed undecided.
    const outcome = await this.ctx.units.transaction(async (tx) => {
      if (!(await tx.flows.transition(flow.id, CONSENT_DECIDED, { state: FlowState.ConsentUsed, consentWasUsed: true }))) {
        throw accessDenied(CONSENT_VERIFIER_UNUSABLE)
      }
      if (flow.consentError) {
        await tx.device.decide(rec.deviceSignature, 'denied')
        return 'denied'
      }
      // The verifier is spent either way; the device code simply runs out.
      if (expired) return 'expired'
      const decided = await tx.device.decide(rec.deviceSignature, {
        subject: flow.subject,
        grantedScope: [...flow.grantedScope],
        grantedAudience: [...flow.grantedAudience],
        challengeId: consentId,
        // No authorization request: no nonce, no claims parameter.
        session: consentedSession(flow, authTime, { nonce: '', claims: '' }),
      })
      if (!decided) throw accessDenied('The device authorization was already decided.')
      return 'authorized'
    })
    if (outcome === 'denied' && flow.consentError) throw deniedError(flow.consentError)
    if (outcome === 'expired') throw requestUnauthorized('The user code has expired, please try again.')
    return toPage(this.d.settings.successUrl)
  }
}

const tooManyAttempts = (): OAuthError =>
  accessDenied(`Too many wrong user codes (${MAX_USER_CODE_ATTEMPTS}): this device challenge can no longer be used, start over.`)

/** Hydra's acceptDeviceUserCodeRequest: {"user_code": "…"}; unknown fields are refused. */
export function parseAcceptUserCode(body: unknown): string {
  if (body === undefined || body === null) throw invalidRequest('Unable to decode body because: the request body is empty.')
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('Unable to decode body because: the body must be a JSON object.')
  for (const name of Object.keys(body)) {
    if (name !== 'user_code') throw invalidRequest(`Unable to decode body because: unknown field "${name}".`)
  }
  const v = (body as Record<string, unknown>).user_code
  if (v !== undefined && v !== null && typeof v !== 'string') {
    throw invalidRequest('Unable to decode body because: field "user_code" must be a string.')
  }
  if (typeof v !== 'string' || v === '') throw invalidRequest("Field 'user_code' must not be empty.")
  return v
}
