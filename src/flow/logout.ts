// OpenID Connect RP-Initiated Logout 1.0 at /oauth2/sessions/logout, as Hydra runs it: a logout
// request sends the browser to the logout app with a logout_challenge; once the app accepted
// (admin API, flow/logout-admin.ts), the logout_verifier ends the login session, and the
// relying parties hear of it through Front- and Back-Channel Logout (oidc/logout-channels.ts).
import type { EndIdentityProviderSession } from './identity-provider.js'
import type { Client } from '../client/model.js'
import { errorPageLocation } from '../oauth2/authorize-response.js'
import { OAuthError, invalidRequest } from '../oauth2/errors.js'
import { requestUnauthorized } from '../oauth2/authorize-errors.js'
import { frontChannelUrls, type EndedSession, type LogoutNotifier } from '../oidc/logout-channels.js'
import { newFlowId } from './codec.js'
import { checkCsrf, csrfCookie, sessionCookie, withQuery, type FlowContext } from './context.js'
import type { CookieInstruction, CookieReader } from './cookies.js'
import { idTokenHintClaims } from './id-token-hint.js'
import type { AutocommitStores } from '../unit-of-work.js'
import type { LogoutRequest } from './logout-store.js'
import { toSeconds } from './model.js'

export interface LogoutSettings {
  /** urls.logout: the logout app. */
  logoutUrl: string
  /** urls.post_logout_redirect: where the browser goes when no client named its own. */
  postLogoutUrl: string
  /** /oauth2/sessions/logout under the public URL: where the verifier leads back to. */
  endpointUrl: string
  /** The cookie binding a logout verifier to the browser that started the logout. */
  csrfCookie: string
}

export interface LogoutDeps {
  ctx: FlowContext
  settings: LogoutSettings
  logouts: AutocommitStores['logouts']
  notifier: LogoutNotifier | undefined
  /** urls.identity_provider: ends the identity provider's session too (identity-provider.ts). */
  endIdentityProviderSession?: EndIdentityProviderSession | undefined
}

/** Parameters as received; a repeated parameter is refused at the edge. */
export type LogoutParams = Readonly<Record<string, string | undefined>>

export type LogoutOutcome =
  | { kind: 'redirect'; location: string; cookies: CookieInstruction[] }
  /** Front-Channel Logout 1.0 §3: a page with the clients' iframes, then on to `redirectTo`. */
  | { kind: 'logged_out'; frontChannel: string[]; redirectTo: string; cookies: CookieInstruction[] }

const given = (v: string | undefined): v is string => v !== undefined && v !== ''

export const LOGOUT_VERIFIER_UNUSABLE = 'The logout verifier has already been used, has not been accepted, or is invalid.'

/** The clients whose consents belong to the login session: the relying parties to notify. */
export async function sessionClients(d: Pick<LogoutDeps, 'ctx' | 'logouts'>, sid: string): Promise<Client[]> {
  const ids = await d.logouts.clientsOfSession(sid)
  const clients = await Promise.all(ids.map((id) => d.ctx.clients.get(id)))
  return clients.filter((c): c is Client => c !== undefined)
}

export class LogoutFlow {
  constructor(private readonly d: LogoutDeps) {}

  private fail(e: unknown): LogoutOutcome {
    if (!(e instanceof OAuthError)) throw e
    const { errorUrl, exposeDebug } = this.d.ctx.settings
    return { kind: 'redirect', location: errorPageLocation(errorUrl, e, exposeDebug), cookies: [] }
  }

  /** The relying party named by id_token_hint (its `aud`) or client_id; they must agree (RP-Initiated Logout §2). */
  private async relyingParty(params: LogoutParams): Promise<{ client?: Client; hint?: Record<string, unknown> }> {
    const hintToken = params.id_token_hint
    const hint = given(hintToken) ? await idTokenHintClaims(this.d.ctx.keyRing, hintToken) : undefined
    const aud = hint?.aud
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []
    if (hint && audiences.length === 0) throw invalidRequest('The id_token_hint has no audience.')
    const clientId = params.client_id
    if (given(clientId) && hint && !audiences.includes(clientId)) {
      throw invalidRequest("Logout failed because the 'client_id' does not match the audience of the 'id_token_hint'.")
    }
    const id = given(clientId) ? clientId : audiences[0]
    if (id === undefined) return {}
    const client = await this.d.ctx.clients.get(id)
    if (!client) throw invalidRequest('Logout failed because the client named by id_token_hint or client_id does not exist.')
    return { client, ...(hint ? { hint } : {}) }
  }

  /** GET/POST /oauth2/sessions/logout without a verifier: a new logout request. */
  async initiate(params: LogoutParams, requestUrl: string, cookies: CookieReader): Promise<LogoutOutcome> {
    try {
      const { ctx, settings } = this.d
      // As Hydra: without id_token_hint the logout is not the relying party's to steer, so neither
      // a redirect nor a state may be named (client_id alone names no one the browser may go to).
      if (!given(params.id_token_hint)) {
        if (given(params.state)) throw invalidRequest('Logout failed because query parameter state is set but id_token_hint is missing.')
        if (given(params.post_logout_redirect_uri)) {
          throw invalidRequest('Logout failed because query parameter post_logout_redirect_uri is set but id_token_hint is missing.')
        }
      }
      const { client, hint } = await this.relyingParty(params)
      let redirectTo = settings.postLogoutUrl
      const uri = params.post_logout_redirect_uri
      if (given(uri)) {
        // RP-Initiated Logout §3: only a URI registered for the client, compared exactly.
        if (!client?.post_logout_redirect_uris.includes(uri)) {
          throw invalidRequest("Logout failed because query parameter 'post_logout_redirect_uri' is not registered for the client.")
        }
        redirectTo = given(params.state) ? withQuery(uri, { state: params.state }) : uri
      }
      const now = ctx.now()
      const sid = cookies(ctx.settings.cookies.session)
      const session = given(sid) ? await ctx.store.getRememberedSession(sid, now) : undefined
      // Nothing to log out (no session, or the hint is about another one): straight to the end.
      if (!session || (hint && typeof hint.sid === 'string' && hint.sid !== session.id)) {
        return { kind: 'redirect', location: redirectTo, cookies: [] }
      }
      const request: LogoutRequest = {
        id: newFlowId(),
        subject: session.subject,
        sid: session.id,
        clientId: client?.client_id ?? null,
        requestUrl,
        redirectUrl: redirectTo,
        csrf: newFlowId(),
        rpInitiated: client !== undefined,
        // Hydra's skip_logout_consent: a trusted client's logout needs no confirmation.
        accepted: client?.skip_logout_consent === true,
        rejected: false,
        wasUsed: false,
        requestedAt: toSeconds(now),
        expiresAt: new Date(now.getTime() + ctx.settings.flowTtlMs),
      }
      await this.d.logouts.createLogoutRequest(request)
      const out = [csrfCookie(ctx, settings.csrfCookie, request.csrf)]
      const location = request.accepted
        ? withQuery(settings.endpointUrl, { logout_verifier: ctx.codec.encode('logout_verifier', request.id) })
        : withQuery(settings.logoutUrl, { logout_challenge: ctx.codec.encode('logout_challenge', request.id) })
      return { kind: 'redirect', location, cookies: out }
    } catch (e) {
      return this.fail(e)
    }
  }

  /** The logout verifier: ends the login session and notifies the relying parties. */
  async finish(verifier: string, cookies: CookieReader): Promise<LogoutOutcome> {
    try {
      const { ctx } = this.d
      const id = ctx.codec.decode('logout_verifier', verifier)
      if (id === undefined) throw invalidRequest('The logout verifier is invalid.')
      const request = await this.d.logouts.getLogoutRequest(id)
      if (!request) throw invalidRequest(LOGOUT_VERIFIER_UNUSABLE)
      if (request.expiresAt.getTime() < ctx.now().getTime()) throw requestUnauthorized('The logout request has expired, please try again.')
      // Before consuming: a stolen verifier must not burn the victim's logout.
      checkCsrf(cookies(this.d.settings.csrfCookie), request.csrf)
      // The verifier is used up and the login session ended together, or neither.
      const ended = await ctx.units.transaction(async (tx) => {
        if (!(await tx.logouts.consumeLogoutRequest(id))) throw invalidRequest(LOGOUT_VERIFIER_UNUSABLE)
        return tx.flows.deleteSession(request.sid)
      })
      if (ended) this.d.endIdentityProviderSession?.(ended)
      const out = [sessionCookie(ctx, null, 0), { ...csrfCookie(ctx, this.d.settings.csrfCookie, ''), value: null }]
      const clients = await sessionClients(this.d, request.sid)
      // Back-Channel Logout 1.0 §2.5 runs without the browser: the user never waits for it.
      void this.backChannel(clients, { sid: request.sid, subject: request.subject })
      const frontChannel = frontChannelUrls(ctx.settings.issuer, clients, request.sid)
      if (frontChannel.length === 0) return { kind: 'redirect', location: request.redirectUrl, cookies: out }
      return { kind: 'logged_out', frontChannel, redirectTo: request.redirectUrl, cookies: out }
    } catch (e) {
      return this.fail(e)
    }
  }

  async backChannel(clients: readonly Client[], session: EndedSession): Promise<void> {
    if (this.d.notifier) await this.d.notifier.backChannel(clients, session, this.d.ctx.now())
  }
}
