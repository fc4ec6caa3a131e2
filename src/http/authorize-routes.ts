// The authorization endpoint (GET and POST /oauth2/auth, RFC 6749 §3.1) and Hydra's fallback
// pages shown when no login, consent or error page is configured.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { AuthorizationFlow } from '../flow/authorize-flow.js'
import { AuthorizeParams } from '../oauth2/authorize-params.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms } from './form.js'
import { FORM_POST_CSP, formPostPage } from './form-post.js'
import { missingKeyPage, oauthErrorPage, sendPage } from './pages.js'
import type { Route, RouteGroup } from './route-table.js'
import { errorOAuth2 } from './schemas/components.js'

export interface AuthorizeRoutesDeps {
  flow: AuthorizationFlow
  signer: CookieSigner
  cookies: Config['serve']['cookies']
  /** When the cookies' Expires is counted from (the registry's clock). */
  now?: () => Date
  /** Fallback pages another route module serves instead (the --dev demo app, src/dev-ui/). */
  replacedFallbacks?: ReadonlySet<string>
}

const rawQueryOf = (url: string): string => {
  const q = url.indexOf('?')
  return q < 0 ? '' : url.slice(q + 1)
}

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''))

const REDIRECT = 'Redirect to the login or consent app, or back to the client'
const PAGE = 'An HTML page'

export function authorizeRoutes(deps: AuthorizeRoutesDeps): RouteGroup {
  async function handle(request: FastifyRequest, reply: FastifyReply, params: AuthorizeParams, rawQuery?: string) {
    const outcome = await deps.flow.authorize({
      params,
      ...(rawQuery !== undefined ? { rawQuery } : {}),
      cookies: cookieReader(request, deps.signer, deps.cookies),
    })
    applyCookies(reply, outcome.cookies, deps.signer, deps.cookies, deps.now?.())
    // RFC 6749 §10.12-ish hygiene: responses carrying codes or challenges are never cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    const r = outcome.response
    if (r.kind === 'redirect') return reply.code(r.status).header('location', r.location).send()
    return sendPage(reply, 200, formPostPage(r.action, r.params), FORM_POST_CSP)
  }

  const replaced = deps.replacedFallbacks ?? new Set()
  const fallback = (page: 'login' | 'consent'): Route => ({
    method: 'GET',
    url: `/oauth2/fallbacks/${page}`,
    operationId: page === 'login' ? 'getFallbackLoginPage' : 'getFallbackConsentPage',
    summary: `Fallback page when urls.${page} is unset (the --dev demo app replaces it)`,
    tags: ['fallbacks'],
    responses: { '200': PAGE },
    handler: async (_request, reply) => sendPage(reply, 200, missingKeyPage(`urls.${page}`, `${page} app`)),
  })
  return {
    setup: acceptForms,
    routes: [
      {
        method: 'GET',
        url: '/oauth2/auth',
        operationId: 'oAuth2Authorize',
        summary: 'The authorization endpoint (RFC 6749 §3.1); redirects the user agent',
        tags: ['oAuth2'],
        responses: { '302': REDIRECT, '200': 'A form_post page (OAuth 2.0 Form Post Response Mode)', default: errorOAuth2 },
        discovery: 'authorization_endpoint',
        cors: 'never',
        handler: async (request, reply) => {
          const rawQuery = rawQueryOf(request.url)
          return handle(request, reply, new AuthorizeParams(new URLSearchParams(rawQuery)), rawQuery)
        },
      },
      {
        method: 'POST',
        url: '/oauth2/auth',
        operationId: 'oAuth2AuthorizePost',
        summary: 'The authorization endpoint with form-encoded parameters (OpenID Connect Core §3.1.2.1)',
        tags: ['oAuth2'],
        responses: { '302': REDIRECT, '200': 'A form_post page (OAuth 2.0 Form Post Response Mode)', default: errorOAuth2 },
        cors: 'never',
        // RFC 6749 §3.1 allows POST; as in Go's ParseForm, body parameters come before the query's.
        handler: async (request, reply) => {
          const body = request.body as Record<string, string | string[]> | undefined
          const params = AuthorizeParams.fromRecord(body ?? {})
          for (const [name, value] of new URLSearchParams(rawQueryOf(request.url))) params.add(name, value)
          return handle(request, reply, params)
        },
      },
      ...(replaced.has('login') ? [] : [fallback('login')]),
      ...(replaced.has('consent') ? [] : [fallback('consent')]),
      {
        method: 'GET',
        url: '/oauth2/fallbacks/error',
        operationId: 'getFallbackErrorPage',
        summary: 'Fallback page showing an error when urls.error is unset',
        tags: ['fallbacks'],
        responses: { '400': PAGE, '500': PAGE },
        handler: async (request, reply) => {
          const query = request.query as Record<string, string | string[] | undefined>
          const error = first(query.error)
          return sendPage(reply, error === 'server_error' ? 500 : 400, oauthErrorPage(error, first(query.error_description)))
        },
      },
    ],
  }
}
