// Hydra's logout request admin endpoints. Registered inside the admin app's /admin and
// prefix-less scopes alike.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { LogoutAdmin } from './logout-admin.js'

// Hydra reads `logout_challenge`, falling back to `challenge`.
function challengeOf(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, string | string[] | undefined>
  for (const key of ['logout_challenge', 'challenge']) {
    const v = query[key]
    if (Array.isArray(v)) throw invalidRequest(`Query parameter '${key}' must only be given once.`)
    if (v !== undefined && v !== '') return v
  }
  return undefined
}

export function logoutAdminRoutes(admin: LogoutAdmin) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const base = '/oauth2/auth/requests/logout'
    app.get(base, async (request, reply) => {
      const a = await admin.getLogoutRequest(challengeOf(request))
      return reply.code(a.status).send(a.body)
    })
    app.put(`${base}/accept`, async (request) => admin.acceptLogoutRequest(challengeOf(request)))
    app.put(`${base}/reject`, async (request, reply) => {
      await admin.rejectLogoutRequest(challengeOf(request))
      return reply.code(204).send()
    })
  }
}
