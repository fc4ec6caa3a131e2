// /oauth2/sessions/logout (OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST) and the
// page that carries out Front-Channel Logout 1.0 before sending the browser on.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { LogoutFlow, LogoutOutcome, LogoutParams } from '../flow/logout.js'
import { invalidRequest } from '../oauth2/errors.js'
import { appendPath } from '../oidc/discovery.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms } from './form.js'
import { LOGGED_OUT_PAGE, LOGOUT_FALLBACK_PAGE, sendPage } from './pages.js'
import { html, themedPage, themedPageCsp } from '../ui/page.js'

export interface LogoutRoutesDeps {
  flow: LogoutFlow
  signer: CookieSigner
  cookies: Config['serve']['cookies']
  publicUrl: string
  /** Fallback pages another route module serves instead (the --dev demo app). */
  replacedFallbacks?: ReadonlySet<string>
}

export const LOGOUT_PATH = '/oauth2/sessions/logout'

// Long enough for the iframes to load; the page also offers a link for the impatient.
const FRONT_CHANNEL_WAIT_SECONDS = 2

/**
 * Front-Channel Logout 1.0 §3: the RPs' logout URIs in hidden iframes, then a meta refresh to
 * where the logout ends. No script, so the CSP allows nothing but the frames and the theme's stylesheet.
 */
export function frontChannelPage(frames: readonly string[], redirectTo: string): { body: string; csp: string } {
  const origins = [...new Set(frames.map((f) => new URL(f).origin))]
  const csp = themedPageCsp([`frame-src ${origins.join(' ')}`, "form-action 'none'"])
  const body = themedPage({
    title: 'Logging out',
    product: 'Signing out',
    head: html`<meta http-equiv="refresh" content="${FRONT_CHANNEL_WAIT_SECONDS};url=${redirectTo}">`,
    body: html`<h1>Logging out</h1>
<p>You are being logged out of every application. <a href="${redirectTo}">Continue</a></p>
${frames.map((f) => html`<iframe src="${f}" hidden width="0" height="0" title="logout"></iframe>`)}`,
  })
  return { body, csp }
}

function paramsOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  const body = request.method === 'POST' && request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')
  const sources = [request.query as Record<string, unknown>, body ? ((request.body ?? {}) as Record<string, unknown>) : {}]
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (typeof value !== 'string' || name in out) throw invalidRequest(`Parameter '${name}' must be given once.`)
      out[name] = value
    }
  }
  return out
}

export function logoutRoutes(deps: LogoutRoutesDeps) {
  const endpoint = appendPath(deps.publicUrl, LOGOUT_PATH)
  return async function routes(app: FastifyInstance): Promise<void> {
    acceptForms(app)

    function send(reply: FastifyReply, outcome: LogoutOutcome): FastifyReply {
      applyCookies(reply, outcome.cookies, deps.signer, deps.cookies)
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache').header('referrer-policy', 'no-referrer')
      if (outcome.kind === 'redirect') return reply.code(302).header('location', outcome.location).send()
      const page = frontChannelPage(outcome.frontChannel, outcome.redirectTo)
      return sendPage(reply, 200, page.body, page.csp)
    }

    async function handle(request: FastifyRequest, reply: FastifyReply) {
      const params: LogoutParams = paramsOf(request)
      const cookies = cookieReader(request, deps.signer, deps.cookies)
      const verifier = params.logout_verifier
      if (verifier !== undefined && verifier !== '') return send(reply, await deps.flow.finish(verifier, cookies))
      const query = new URLSearchParams(params as Record<string, string>).toString()
      return send(reply, await deps.flow.initiate(params, query === '' ? endpoint : `${endpoint}?${query}`, cookies))
    }

    app.get(LOGOUT_PATH, handle)
    app.post(LOGOUT_PATH, handle)

    const replaced = deps.replacedFallbacks ?? new Set()
    if (!replaced.has('logout')) app.get('/oauth2/fallbacks/logout', async (_request, reply) => sendPage(reply, 200, LOGOUT_FALLBACK_PAGE))
    app.get('/oauth2/fallbacks/logout/callback', async (_request, reply) => sendPage(reply, 200, LOGGED_OUT_PAGE))
  }
}
