// Hydra's login and consent admin endpoints, and its session endpoints. Registered inside the admin app's /admin and
// prefix-less scopes alike.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { LoginConsentAdmin, RequestAnswer } from './admin.js'
import type { SessionAdmin } from './sessions.js'

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

const DEFAULT_PAGE_SIZE = 250
const MAX_PAGE_SIZE = 500

function single(request: FastifyRequest, key: string): string | undefined {
  const v = (request.query as Query)[key]
  if (Array.isArray(v)) throw invalidRequest(`Query parameter '${key}' must only be given once.`)
  return v
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalidRequest(`page_size = "${raw}" must be a positive integer.`)
  return Math.min(Number(raw), MAX_PAGE_SIZE)
}

// Hydra's consent and login session endpoints (/admin/oauth2/auth/sessions/*).
export function sessionAdminRoutes(sessions: SessionAdmin) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const base = '/oauth2/auth/sessions'

    app.get(`${base}/consent`, async (request, reply) => {
      const size = pageSize(single(request, 'page_size'))
      const subject = single(request, 'subject')
      const loginSessionId = single(request, 'login_session_id')
      const page = await sessions.listConsentSessions({ subject, loginSessionId, pageSize: size, pageToken: single(request, 'page_token') })
      // Pagination as GET /admin/clients answers it: first and next links, and the total.
      const path = request.url.split('?')[0] ?? `${base}/consent`
      const link = (pageToken?: string) => {
        const params = new URLSearchParams({ subject: subject ?? '', page_size: String(size) })
        if (loginSessionId) params.set('login_session_id', loginSessionId)
        if (pageToken) params.set('page_token', pageToken)
        return `<${path}?${params.toString()}>`
      }
      const links = [`${link()}; rel="first"`]
      if (page.next) links.push(`${link(page.next)}; rel="next"`)
      return reply.header('link', links.join(',')).header('x-total-count', String(page.total)).send(page.sessions)
    })

    app.delete(`${base}/consent`, async (request, reply) => {
      await sessions.revokeConsentSessions({
        subject: single(request, 'subject'),
        client: single(request, 'client'),
        consentRequestId: single(request, 'consent_request_id'),
        all: single(request, 'all'),
      })
      return reply.code(204).send()
    })

    app.delete(`${base}/login`, async (request, reply) => {
      await sessions.revokeLoginSessions({ subject: single(request, 'subject'), sid: single(request, 'sid') })
      return reply.code(204).send()
    })
  }
}
