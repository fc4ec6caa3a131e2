// Hydra's logout request admin endpoints, under /admin and without the prefix.
import type { FastifyRequest } from 'fastify'
import type { LogoutAdmin } from '../flow/logout-admin.js'
import { invalidRequest } from '../oauth2/errors.js'
import type { Route, RouteGroup } from './route-table.js'
import { errorOAuth2, oAuth2LogoutRequest, oAuth2RedirectTo, query } from './schemas/components.js'

// Hydra reads `logout_challenge`, falling back to `challenge`.
function challengeOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, string | string[] | undefined>
  for (const key of ['logout_challenge', 'challenge']) {
    const v = q[key]
    if (Array.isArray(v)) throw invalidRequest(`Query parameter '${key}' must only be given once.`)
    if (v !== undefined && v !== '') return v
  }
  return undefined
}

// Hydra's parameter; the `challenge` alias is read too but not advertised.
const CHALLENGE = query({ logout_challenge: 'The logout challenge' }, ['logout_challenge'])
// A missing challenge is the handler's to report: Hydra reads `challenge` when logout_challenge is absent.
const logout = { tags: ['oAuth2'] as const, querystring: CHALLENGE, checkedByHandler: ['logout_challenge'] }

export function logoutAdminRoutes(admin: LogoutAdmin): RouteGroup {
  const base = '/oauth2/auth/requests/logout'
  const routes: Route[] = [
    {
      ...logout,
      method: 'GET',
      url: base,
      operationId: 'getOAuth2LogoutRequest',
      summary: 'Read a logout request',
      responses: { '200': oAuth2LogoutRequest, '410': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request, reply) => {
        const a = await admin.getLogoutRequest(challengeOf(request))
        return reply.code(a.status).send(a.body)
      },
    },
    {
      ...logout,
      method: 'PUT',
      url: `${base}/accept`,
      operationId: 'acceptOAuth2LogoutRequest',
      summary: 'Accept a logout request',
      responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request) => admin.acceptLogoutRequest(challengeOf(request)),
    },
    {
      ...logout,
      method: 'PUT',
      url: `${base}/reject`,
      operationId: 'rejectOAuth2LogoutRequest',
      summary: 'Reject a logout request',
      responses: { '204': 'Rejected', default: errorOAuth2 },
      handler: async (request, reply) => {
        await admin.rejectLogoutRequest(challengeOf(request))
        return reply.code(204).send()
      },
    },
  ]
  return { admin: true, routes }
}
