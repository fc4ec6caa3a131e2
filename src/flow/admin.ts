// The login and consent apps' side of the flow (Hydra's /admin/oauth2/auth/requests/*): read a
// request, then accept or reject it. Each decision is a conditional transition; the answer is
// where to send the browser next, with the verifier that proves the decision.
import type { Client } from '../client/model.js'
import { conflict, invalidRequest, notFound, resourceNotFound } from '../oauth2/errors.js'
import { parseAcceptConsent, parseAcceptLogin, parseReject } from './admin-body.js'
import type { FlowPurpose } from './codec.js'
import { checkNotExpired, withQuery, type FlowContext } from './context.js'
import { CONSENT_OPEN, FlowState, LOGIN_OPEN, toSeconds, type Flow, type FlowStateValue } from './model.js'
import { presentConsentRequest, presentLoginRequest } from './present.js'
import type { FlowChanges } from './store.js'

/** 200 with the request, or 410 with where to start over when it was already handled. */
export type RequestAnswer = { status: 200; body: Record<string, unknown> } | { status: 410; body: { redirect_to: string } }

export interface RedirectTo {
  redirect_to: string
}

type Kind = 'login' | 'consent'

const PURPOSE: Record<Kind, FlowPurpose> = { login: 'login_challenge', consent: 'consent_challenge' }
const OPEN: Record<Kind, readonly FlowStateValue[]> = { login: LOGIN_OPEN, consent: CONSENT_OPEN }

export class LoginConsentAdmin {
  constructor(private readonly ctx: FlowContext) {}

  private async find(kind: Kind, challenge: string | undefined): Promise<Flow> {
    if (challenge === undefined || challenge === '') {
      throw invalidRequest("Query parameter 'challenge' is not defined but should have been.")
    }
    const id = this.ctx.codec.decode(PURPOSE[kind], challenge)
    // A challenge that does not decode (malformed, altered, another server's) names nothing here.
    if (id === undefined) throw resourceNotFound()
    const flow = kind === 'login' ? await this.ctx.store.getFlow(id) : await this.ctx.store.getFlowByConsentChallenge(id)
    if (!flow) throw notFound(`The ${kind} request could not be found.`)
    return flow
  }

  private async client(flow: Flow): Promise<Client> {
    const client = await this.ctx.clients.get(flow.clientId)
    if (!client) throw notFound(`The OAuth 2.0 client "${flow.clientId}" does not exist.`)
    return client
  }

  /** Flows whose verifier was used are gone for the apps: Hydra answers 410 with the request URL. */
  private handled(kind: Kind, flow: Flow): boolean {
    return kind === 'login' ? flow.loginWasUsed : flow.consentWasUsed
  }

  private async decide(kind: Kind, challenge: string | undefined, change: (flow: Flow) => FlowChanges): Promise<RedirectTo> {
    const flow = await this.find(kind, challenge)
    checkNotExpired(this.ctx, flow, kind)
    const open = OPEN[kind]
    if (!open.includes(flow.state)) throw conflict(`The ${kind} request was already used and can no longer be changed.`)
    if (!(await this.ctx.store.transition(flow.id, open, change(flow)))) {
      // MySQL reports no row when the values did not change: only a state that moved on is a conflict.
      const now = await this.ctx.store.getFlow(flow.id)
      if (!now || !open.includes(now.state)) throw conflict(`The ${kind} request was already used and can no longer be changed.`)
    }
    const verifier: Record<string, string> =
      kind === 'login'
        ? { login_verifier: this.ctx.codec.encode('login_verifier', flow.id) }
        : { consent_verifier: this.ctx.codec.encode('consent_verifier', flow.consentChallengeId ?? '') }
    return { redirect_to: withQuery(flow.requestUrl, verifier) }
  }

  async getLoginRequest(challenge: string | undefined): Promise<RequestAnswer> {
    const flow = await this.find('login', challenge)
    if (this.handled('login', flow)) return { status: 410, body: { redirect_to: flow.requestUrl } }
    checkNotExpired(this.ctx, flow, 'login')
    return { status: 200, body: presentLoginRequest(flow, await this.client(flow), this.ctx.codec) }
  }

  async acceptLoginRequest(challenge: string | undefined, body: unknown): Promise<RedirectTo> {
    const p = parseAcceptLogin(body)
    return this.decide('login', challenge, (flow) => {
      if (flow.subject !== '' && p.subject !== flow.subject) {
        throw invalidRequest("Field 'subject' does not match subject from previous authentication.")
      }
      return {
        state: FlowState.LoginUnused,
        subject: p.subject,
        // A remembered login that is confirmed again stays remembered (Hydra's rule for skip).
        loginRemember: flow.loginSkip || p.remember,
        loginRememberFor: p.rememberFor,
        loginExtendSessionLifespan: p.extendSessionLifespan,
        acr: p.acr,
        amr: p.amr,
        context: p.context ?? {},
        forcedSubjectIdentifier: p.forceSubjectIdentifier,
        identityProviderSessionId: p.identityProviderSessionId !== '' ? p.identityProviderSessionId : flow.identityProviderSessionId,
        // Whole seconds, as the request time: prompt=login compares the two.
        loginAuthenticatedAt: flow.loginSkip && flow.loginAuthenticatedAt ? flow.loginAuthenticatedAt : toSeconds(this.ctx.now()),
        loginError: null,
      }
    })
  }

  async rejectLoginRequest(challenge: string | undefined, body: unknown): Promise<RedirectTo> {
    const error = parseReject(body)
    return this.decide('login', challenge, () => ({ state: FlowState.LoginError, loginError: error }))
  }

  async getConsentRequest(challenge: string | undefined): Promise<RequestAnswer> {
    const flow = await this.find('consent', challenge)
    if (this.handled('consent', flow)) return { status: 410, body: { redirect_to: flow.requestUrl } }
    checkNotExpired(this.ctx, flow, 'consent')
    return { status: 200, body: presentConsentRequest(flow, await this.client(flow), this.ctx.codec) }
  }

  async acceptConsentRequest(challenge: string | undefined, body: unknown): Promise<RedirectTo> {
    const p = parseAcceptConsent(body)
    return this.decide('consent', challenge, (flow) => ({
      state: FlowState.ConsentUnused,
      grantedScope: p.grantScope,
      grantedAudience: p.grantAudience,
      consentRemember: p.remember,
      consentRememberFor: p.rememberFor,
      consentHandledAt: this.ctx.now(),
      consentError: null,
      sessionAccessToken: p.accessTokenExtra,
      sessionIdToken: p.idTokenExtra,
      context: p.context === undefined ? flow.context : p.context,
    }))
  }

  async rejectConsentRequest(challenge: string | undefined, body: unknown): Promise<RedirectTo> {
    const error = parseReject(body)
    return this.decide('consent', challenge, () => ({
      state: FlowState.ConsentError,
      consentError: error,
      consentHandledAt: this.ctx.now(),
    }))
  }
}
