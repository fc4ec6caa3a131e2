// HTTP edges of the Device Authorization Grant (RFC 8628): the device authorization endpoint and
// the device verification endpoint on the public listener, Hydra's fallback pages for
// urls.device.verification / urls.device.success, and the admin user code endpoint.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { DeviceFlow } from '../flow/device.js'
import type { DeviceAuthorization } from '../oauth2/device-authorization.js'
import { invalidRequest } from '../oauth2/errors.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms, formBody, postOnly } from './form.js'
import { missingKeyPage, sendPage } from './pages.js'

export interface DevicePublicRoutesDeps {
  authorization: DeviceAuthorization
  flow: DeviceFlow
  signer: CookieSigner
  cookies: Config['serve']['cookies']
  /** Fallback pages another route module serves instead (the --dev demo app, src/dev-ui/). */
  replacedFallbacks?: ReadonlySet<string>
}

const rawQueryOf = (url: string): string => {
  const q = url.indexOf('?')
  return q < 0 ? '' : url.slice(q + 1)
}

export function devicePublicRoutes(deps: DevicePublicRoutesDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    acceptForms(app)
    postOnly(app, '/oauth2/device/auth')

    app.post('/oauth2/device/auth', async (request, reply) => {
      const response = await deps.authorization.handle({ authorization: request.headers.authorization, form: formBody(request) })
      // RFC 8628 §3.2: the codes are credentials; never cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').header('content-type', 'application/json; charset=utf-8').send(response)
    })

    app.get('/oauth2/device/verify', async (request, reply) => {
      const cookies = cookieReader(request, deps.signer, deps.cookies)
      const outcome = await deps.flow.verify(new URLSearchParams(rawQueryOf(request.url)), cookies, request.ip)
      applyCookies(reply, outcome.cookies, deps.signer, deps.cookies)
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const r = outcome.response
      // The device flow never answers with form_post: every step is a redirect.
      if (r.kind !== 'redirect') throw invalidRequest('The device flow cannot answer with a form.')
      return reply.code(r.status).header('location', r.location).send()
    })

    const replaced = deps.replacedFallbacks ?? new Set()
    if (!replaced.has('device')) {
      app.get('/oauth2/fallbacks/device', async (_request, reply) => sendPage(reply, 200, missingKeyPage('urls.device.verification', 'device verification page')))
    }
    if (!replaced.has('device_done')) {
      app.get('/oauth2/fallbacks/device/done', async (_request, reply) => sendPage(reply, 200, missingKeyPage('urls.device.success', 'device success page')))
    }
  }
}

/** Registered inside the admin app's /admin and prefix-less scopes alike. */
export function deviceAdminRoutes(flow: DeviceFlow) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.put('/oauth2/auth/requests/device/accept', async (request: FastifyRequest) => {
      const v = (request.query as Record<string, string | string[] | undefined>).device_challenge
      if (Array.isArray(v)) throw invalidRequest("Query parameter 'device_challenge' must only be given once.")
      return flow.acceptUserCode(v, request.body)
    })
  }
}
