// The authorization endpoint (GET and POST /oauth2/auth, RFC 6749 §3.1) and Hydra's fallback
// pages shown when no login, consent or error page is configured.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { AuthorizationFlow } from '../flow/authorize-flow.js'
import { AuthorizeParams } from '../oauth2/authorize-params.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms } from './form.js'
import { FORM_POST_CSP, formPostPage } from './form-post.js'
import { missingKeyPage, oauthErrorPage, sendPage } from './pages.js'

export interface AuthorizeRoutesDeps {
  flow: AuthorizationFlow
  signer: CookieSigner
  cookies: Config['serve']['cookies']
  /** Fallback pages another route module serves instead (the --dev demo app, src/dev-ui/). */
  replacedFallbacks?: ReadonlySet<string>
}

const rawQueryOf = (url: string): string => {
  const q = url.indexOf('?')
  return q < 0 ? '' : url.slice(q + 1)
}

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''))

export function authorizeRoutes(deps: AuthorizeRoutesDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    acceptForms(app)

    async function handle(request: FastifyRequest, reply: FastifyReply, params: AuthorizeParams, rawQuery?: string) {
      const outcome = await deps.flow.authorize({
        params,
        ...(rawQuery !== undefined ? { rawQuery } : {}),
        cookies: cookieReader(request, deps.signer, deps.cookies),
      })
      applyCookies(reply, outcome.cookies, deps.signer, deps.cookies)
      // RFC 6749 §10.12-ish hygiene: responses carrying codes or challenges are never cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const r = outcome.response
      if (r.kind === 'redirect') return reply.code(r.status).header('location', r.location).send()
      return sendPage(reply, 200, formPostPage(r.action, r.params), FORM_POST_CSP)
    }

    app.get('/oauth2/auth', async (request, reply) => {
      const rawQuery = rawQueryOf(request.url)
      return handle(request, reply, new AuthorizeParams(new URLSearchParams(rawQuery)), rawQuery)
    })

    // RFC 6749 §3.1 allows POST; as in Go's ParseForm, body parameters come before the query's.
    app.post('/oauth2/auth', async (request, reply) => {
      const body = request.body as Record<string, string | string[]> | undefined
      const params = AuthorizeParams.fromRecord(body ?? {})
      for (const [name, value] of new URLSearchParams(rawQueryOf(request.url))) params.add(name, value)
      return handle(request, reply, params)
    })

    const replaced = deps.replacedFallbacks ?? new Set()
    if (!replaced.has('login')) app.get('/oauth2/fallbacks/login', async (_request, reply) => sendPage(reply, 200, missingKeyPage('urls.login', 'login app')))
    if (!replaced.has('consent')) app.get('/oauth2/fallbacks/consent', async (_request, reply) => sendPage(reply, 200, missingKeyPage('urls.consent', 'consent app')))
    app.get('/oauth2/fallbacks/error', async (request, reply) => {
      const query = request.query as Record<string, string | string[] | undefined>
      const error = first(query.error)
      return sendPage(reply, error === 'server_error' ? 500 : 400, oauthErrorPage(error, first(query.error_description)))
    })
  }
}
