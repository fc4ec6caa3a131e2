// Hydra's login and consent admin endpoints. Registered inside the admin app's /admin and
// prefix-less scopes alike.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { LoginConsentAdmin, RequestAnswer } from './admin.js'

type Query = Record<string, string | string[] | undefined>

// Hydra reads `<kind>_challenge`, falling back to `challenge`.
function challengeOf(request: FastifyRequest, name: 'login_challenge' | 'consent_challenge'): string | undefined {
  const query = request.query as Query
  for (const key of [name, 'challenge']) {
    const v = query[key]
    if (Array.isArray(v)) throw invalidRequest(`Query parameter '${key}' must only be given once.`)
    if (v !== undefined && v !== '') return v
  }
  return undefined
}

const answer = (reply: FastifyReply, a: RequestAnswer): FastifyReply => reply.code(a.status).send(a.body)

export function flowAdminRoutes(admin: LoginConsentAdmin) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const base = '/oauth2/auth/requests'

    app.get(`${base}/login`, async (request, reply) => answer(reply, await admin.getLoginRequest(challengeOf(request, 'login_challenge'))))
    app.put(`${base}/login/accept`, async (request) =>
      admin.acceptLoginRequest(challengeOf(request, 'login_challenge'), request.body),
    )
    app.put(`${base}/login/reject`, async (request) =>
      admin.rejectLoginRequest(challengeOf(request, 'login_challenge'), request.body),
    )

    app.get(`${base}/consent`, async (request, reply) =>
      answer(reply, await admin.getConsentRequest(challengeOf(request, 'consent_challenge'))),
    )
    app.put(`${base}/consent/accept`, async (request) =>
      admin.acceptConsentRequest(challengeOf(request, 'consent_challenge'), request.body),
    )
    app.put(`${base}/consent/reject`, async (request) =>
      admin.rejectConsentRequest(challengeOf(request, 'consent_challenge'), request.body),
    )
  }
}
