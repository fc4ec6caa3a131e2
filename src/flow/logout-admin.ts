// The logout app's side of RP-initiated logout (Hydra's /admin/oauth2/auth/requests/logout*):
// read the request, then accept (the answer leads the browser to the verifier) or reject it.
import { presentClient } from '../client/present.js'
import { conflict, invalidRequest, notFound, resourceNotFound } from '../oauth2/errors.js'
import { withQuery } from './context.js'
import type { LogoutDeps } from './logout.js'
import type { LogoutRequest } from './logout-store.js'
import type { RedirectTo, RequestAnswer } from './admin.js'

export class LogoutAdmin {
  constructor(private readonly d: Pick<LogoutDeps, 'ctx' | 'settings' | 'logouts'>) {}

  private async find(challenge: string | undefined): Promise<LogoutRequest> {
    if (challenge === undefined || challenge === '') {
      throw invalidRequest("Query parameter 'challenge' is not defined but should have been.")
    }
    const id = this.d.ctx.codec.decode('logout_challenge', challenge)
    if (id === undefined) throw resourceNotFound()
    const request = await this.d.logouts.getLogoutRequest(id)
    if (!request) throw notFound('The logout request could not be found.')
    return request
  }

  private open(request: LogoutRequest): void {
    if (request.expiresAt.getTime() < this.d.ctx.now().getTime()) throw notFound('The logout request has expired.')
  }

  /** oAuth2LogoutRequest; 410 with the request URL once the verifier was used, as for login and consent. */
  async getLogoutRequest(challenge: string | undefined): Promise<RequestAnswer> {
    const r = await this.find(challenge)
    if (r.wasUsed) return { status: 410, body: { redirect_to: r.requestUrl } }
    this.open(r)
    const client = r.clientId === null ? undefined : await this.d.ctx.clients.get(r.clientId)
    return {
      status: 200,
      body: {
        challenge: this.d.ctx.codec.encode('logout_challenge', r.id),
        subject: r.subject,
        sid: r.sid,
        request_url: r.requestUrl,
        rp_initiated: r.rpInitiated,
        ...(client ? { client: presentClient(client) } : {}),
        expires_at: r.expiresAt.toISOString(),
        requested_at: r.requestedAt.toISOString(),
      },
    }
  }

  async acceptLogoutRequest(challenge: string | undefined): Promise<RedirectTo> {
    const r = await this.find(challenge)
    this.open(r)
    if (!(await this.d.logouts.decideLogoutRequest(r.id, true))) {
      // Accepting twice answers the same; a rejected or finished logout cannot be accepted.
      const now = await this.d.logouts.getLogoutRequest(r.id)
      if (!now || !now.accepted || now.wasUsed) throw conflict('The logout request was already handled and can no longer be changed.')
    }
    const verifier = this.d.ctx.codec.encode('logout_verifier', r.id)
    return { redirect_to: withQuery(this.d.settings.endpointUrl, { logout_verifier: verifier }) }
  }

  async rejectLogoutRequest(challenge: string | undefined): Promise<void> {
    const r = await this.find(challenge)
    this.open(r)
    if (!(await this.d.logouts.decideLogoutRequest(r.id, false))) {
      const now = await this.d.logouts.getLogoutRequest(r.id)
      if (!now || !now.rejected) throw conflict('The logout request was already handled and can no longer be changed.')
    }
  }
}
