// /oauth2/sessions/logout (OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST) and the
// page that carries out Front-Channel Logout 1.0 before sending the browser on.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { LogoutFlow, LogoutOutcome, LogoutParams } from '../flow/logout.js'
import { invalidRequest } from '../oauth2/errors.js'
import { appendPath } from '../url-path.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms } from './form.js'
import { LOGGED_OUT_PAGE, LOGOUT_FALLBACK_PAGE, sendPage } from './pages.js'
import { html, themedPage, themedPageCsp } from '../ui/page.js'
import type { Route, RouteGroup } from './route-table.js'
import { errorOAuth2 } from './schemas/components.js'

export interface LogoutRoutesDeps {
  flow: LogoutFlow
  signer: CookieSigner
  cookies: Config['serve']['cookies']
  /** When the cookies' Expires is counted from (the registry's clock). */
  now?: () => Date
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

const PAGE = 'An HTML page'

export function logoutRoutes(deps: LogoutRoutesDeps): RouteGroup {
  const endpoint = appendPath(deps.publicUrl, LOGOUT_PATH)

  function send(reply: FastifyReply, outcome: LogoutOutcome): FastifyReply {
    applyCookies(reply, outcome.cookies, deps.signer, deps.cookies, deps.now?.())
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

  const replaced = deps.replacedFallbacks ?? new Set()
  const answers = {
    '302': 'Redirect to the logout app or the post-logout URI',
    '200': 'A page that runs Front-Channel Logout, then moves on',
    default: errorOAuth2,
  }
  const fallbackLogout: Route = {
    method: 'GET',
    url: '/oauth2/fallbacks/logout',
    operationId: 'getFallbackLogoutPage',
    summary: 'Fallback page when urls.logout is unset',
    tags: ['fallbacks'],
    responses: { '200': PAGE },
    handler: async (_request, reply) => sendPage(reply, 200, LOGOUT_FALLBACK_PAGE),
  }
  return {
    setup: acceptForms,
    routes: [
      {
        method: 'GET',
        url: LOGOUT_PATH,
        operationId: 'revokeOidcSession',
        summary: 'RP-Initiated Logout: starts or finishes the logout flow',
        tags: ['oidc'],
        responses: answers,
        discovery: 'end_session_endpoint',
        handler: handle,
      },
      {
        method: 'POST',
        url: LOGOUT_PATH,
        operationId: 'revokeOidcSessionPost',
        summary: 'RP-Initiated Logout with form-encoded parameters',
        tags: ['oidc'],
        responses: answers,
        handler: handle,
      },
      ...(replaced.has('logout') ? [] : [fallbackLogout]),
      {
        method: 'GET',
        url: '/oauth2/fallbacks/logout/callback',
        operationId: 'getFallbackLogoutCallbackPage',
        summary: 'Fallback page after logout when no post-logout URI applies',
        tags: ['fallbacks'],
        responses: { '200': PAGE },
        handler: async (_request, reply) => sendPage(reply, 200, LOGGED_OUT_PAGE),
      },
    ],
  }
}
