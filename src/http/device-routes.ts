// HTTP edges of the Device Authorization Grant (RFC 8628): the device authorization endpoint and
// the device verification endpoint on the public listener, Hydra's fallback pages for
// urls.device.verification / urls.device.success, and the admin user code endpoint.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { DeviceFlow } from '../flow/device.js'
import type { DeviceAuthorization } from '../oauth2/device-authorization.js'
import { invalidRequest } from '../oauth2/errors.js'
import { applyCookies, cookieReader, type CookieSigner } from './cookies.js'
import { acceptForms, formBody } from './form.js'
import { missingKeyPage, sendPage } from './pages.js'
import type { Route, RouteGroup } from './route-table.js'
import { acceptDeviceUserCodeRequest, deviceAuthorization, errorOAuth2, form, oAuth2RedirectTo, query } from './schemas/components.js'
import { flowBodyRefusal } from './validation.js'

export interface DevicePublicRoutesDeps {
  authorization: DeviceAuthorization
  flow: DeviceFlow
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

const PAGE = 'An HTML page'

export function devicePublicRoutes(deps: DevicePublicRoutesDeps): RouteGroup {
  const replaced = deps.replacedFallbacks ?? new Set()
  const fallback = (page: 'device' | 'device/done'): Route => ({
    method: 'GET',
    url: `/oauth2/fallbacks/${page}`,
    operationId: page === 'device' ? 'getFallbackDevicePage' : 'getFallbackDeviceDonePage',
    summary: `Fallback page when urls.device.${page === 'device' ? 'verification' : 'success'} is unset`,
    tags: ['fallbacks'],
    responses: { '200': PAGE },
    handler: async (_request, reply) =>
      page === 'device'
        ? sendPage(reply, 200, missingKeyPage('urls.device.verification', 'device verification page'))
        : sendPage(reply, 200, missingKeyPage('urls.device.success', 'device success page')),
  })
  return {
    setup: acceptForms,
    routes: [
      {
        method: 'POST',
        url: '/oauth2/device/auth',
        operationId: 'oAuth2DeviceFlow',
        summary: 'Device authorization request (RFC 8628 §3.1)',
        tags: ['oAuth2'],
        body: { media: 'form', schema: form({ client_id: 'The client', scope: 'Space-separated scopes', audience: 'Requested audiences' }) },
        responses: { '200': deviceAuthorization, default: errorOAuth2 },
        postOnly: true,
        discovery: 'device_authorization_endpoint',
        handler: async (request, reply) => {
          const response = await deps.authorization.handle({ authorization: request.headers.authorization, form: formBody(request) })
          // RFC 8628 §3.2: the codes are credentials; never cached.
          return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').header('content-type', 'application/json; charset=utf-8').send(response)
        },
      },
      {
        method: 'GET',
        url: '/oauth2/device/verify',
        operationId: 'performOAuth2DeviceVerificationFlow',
        summary: 'Where the user enters the user code; redirects the user agent',
        tags: ['oAuth2'],
        responses: { '302': 'Redirect to the verification UI, the login app or the success page', default: errorOAuth2 },
        handler: async (request, reply) => {
          const cookies = cookieReader(request, deps.signer, deps.cookies)
          const outcome = await deps.flow.verify(new URLSearchParams(rawQueryOf(request.url)), cookies, request.ip)
          applyCookies(reply, outcome.cookies, deps.signer, deps.cookies, deps.now?.())
          reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
          const r = outcome.response
          // The device flow never answers with form_post: every step is a redirect.
          if (r.kind !== 'redirect') throw invalidRequest('The device flow cannot answer with a form.')
          return reply.code(r.status).header('location', r.location).send()
        },
      },
      ...(replaced.has('device') ? [] : [fallback('device')]),
      ...(replaced.has('device_done') ? [] : [fallback('device/done')]),
    ],
  }
}

/** The admin user code endpoint, under /admin and without the prefix. */
export function deviceAdminRoutes(flow: DeviceFlow): RouteGroup {
  return {
    admin: true,
    routes: [
      {
        method: 'PUT',
        url: '/oauth2/auth/requests/device/accept',
        operationId: 'acceptUserCodeRequest',
        summary: 'Accept a device user code',
        tags: ['oAuth2'],
        querystring: query({ device_challenge: 'The device challenge' }, ['device_challenge']),
        body: { media: 'json', schema: acceptDeviceUserCodeRequest, refuse: flowBodyRefusal },
        responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
        handler: async (request: FastifyRequest) => {
          const v = (request.query as Record<string, string | string[] | undefined>).device_challenge
          if (Array.isArray(v)) throw invalidRequest("Query parameter 'device_challenge' must only be given once.")
          return flow.acceptUserCode(v, request.body)
        },
      },
    ],
  }
}
