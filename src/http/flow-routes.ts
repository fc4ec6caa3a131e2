// Hydra's login and consent admin endpoints, and its session endpoints. Registered inside the admin app's /admin and
// prefix-less scopes alike.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LoginConsentAdmin, RequestAnswer } from '../flow/admin.js'
import type { SessionAdmin } from '../flow/sessions.js'
import { invalidRequest } from '../oauth2/errors.js'
import type { Route, RouteGroup } from './route-table.js'
import { flowBodyRefusal } from './validation.js'
import {
  acceptOAuth2ConsentRequest,
  acceptOAuth2LoginRequest,
  errorOAuth2,
  oAuth2ConsentRequest,
  oAuth2ConsentSessions,
  oAuth2LoginRequest,
  oAuth2RedirectTo,
  query,
  rejectOAuth2Request,
} from './schemas/components.js'

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

// Hydra's parameter; the `challenge` alias is read too but not advertised.
const challengeQuery = (name: string) => query({ [name]: `The ${name.replace('_', ' ')}` }, [name])
// A missing challenge is the handler's to report: Hydra reads `challenge` when the named one is absent.
const flow = { tags: ['oAuth2'] as const, checkedByHandler: ['login_challenge', 'consent_challenge'] }

export function flowAdminRoutes(admin: LoginConsentAdmin): RouteGroup {
  const base = '/oauth2/auth/requests'
  const login = challengeQuery('login_challenge')
  const consent = challengeQuery('consent_challenge')
  const routes: Route[] = [
    {
      ...flow,
      method: 'GET',
      url: `${base}/login`,
      operationId: 'getOAuth2LoginRequest',
      summary: 'Read a login request',
      querystring: login,
      responses: { '200': oAuth2LoginRequest, '410': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request, reply) => answer(reply, await admin.getLoginRequest(challengeOf(request, 'login_challenge'))),
    },
    {
      ...flow,
      method: 'PUT',
      url: `${base}/login/accept`,
      operationId: 'acceptOAuth2LoginRequest',
      summary: 'Accept a login request',
      querystring: login,
      body: { media: 'json', schema: acceptOAuth2LoginRequest, refuse: flowBodyRefusal },
      responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request) => admin.acceptLoginRequest(challengeOf(request, 'login_challenge'), request.body),
    },
    {
      ...flow,
      method: 'PUT',
      url: `${base}/login/reject`,
      operationId: 'rejectOAuth2LoginRequest',
      summary: 'Reject a login request',
      querystring: login,
      body: { media: 'json', schema: rejectOAuth2Request, required: false, refuse: flowBodyRefusal },
      responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request) => admin.rejectLoginRequest(challengeOf(request, 'login_challenge'), request.body),
    },
    {
      ...flow,
      method: 'GET',
      url: `${base}/consent`,
      operationId: 'getOAuth2ConsentRequest',
      summary: 'Read a consent request',
      querystring: consent,
      responses: { '200': oAuth2ConsentRequest, '410': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request, reply) => answer(reply, await admin.getConsentRequest(challengeOf(request, 'consent_challenge'))),
    },
    {
      ...flow,
      method: 'PUT',
      url: `${base}/consent/accept`,
      operationId: 'acceptOAuth2ConsentRequest',
      summary: 'Accept a consent request',
      querystring: consent,
      body: { media: 'json', schema: acceptOAuth2ConsentRequest, required: false, refuse: flowBodyRefusal },
      responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request) => admin.acceptConsentRequest(challengeOf(request, 'consent_challenge'), request.body),
    },
    {
      ...flow,
      method: 'PUT',
      url: `${base}/consent/reject`,
      operationId: 'rejectOAuth2ConsentRequest',
      summary: 'Reject a consent request',
      querystring: consent,
      body: { media: 'json', schema: rejectOAuth2Request, required: false, refuse: flowBodyRefusal },
      responses: { '200': oAuth2RedirectTo, default: errorOAuth2 },
      handler: async (request) => admin.rejectConsentRequest(challengeOf(request, 'consent_challenge'), request.body),
    },
  ]
  return { admin: true, routes }
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
export function sessionAdminRoutes(sessions: SessionAdmin): RouteGroup {
  const base = '/oauth2/auth/sessions'
  const routes: Route[] = [
    {
      ...flow,
      method: 'GET',
      url: `${base}/consent`,
      operationId: 'listOAuth2ConsentSessions',
      summary: "List a subject's remembered consents",
      querystring: query(
        { subject: 'The subject', login_session_id: 'Only consents of this login session', page_size: 'Items per page', page_token: 'Opaque page token' },
        ['subject'],
      ),
      responses: { '200': oAuth2ConsentSessions, default: errorOAuth2 },
      handler: async (request, reply) => {
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
      },
    },
    {
      ...flow,
      method: 'DELETE',
      url: `${base}/consent`,
      operationId: 'revokeOAuth2ConsentSessions',
      summary: 'Revoke consents with their tokens',
      querystring: query({ subject: 'The subject', client: 'Only this client', consent_request_id: 'Only this consent', all: 'Every client of the subject' }),
      responses: { '204': 'Revoked', default: errorOAuth2 },
      handler: async (request, reply) => {
        await sessions.revokeConsentSessions({
          subject: single(request, 'subject'),
          client: single(request, 'client'),
          consentRequestId: single(request, 'consent_request_id'),
          all: single(request, 'all'),
        })
        return reply.code(204).send()
      },
    },
    {
      ...flow,
      method: 'DELETE',
      url: `${base}/login`,
      operationId: 'revokeOAuth2LoginSessions',
      summary: 'Forget remembered logins',
      querystring: query({ subject: 'The subject', sid: 'One login session' }),
      responses: { '204': 'Revoked', default: errorOAuth2 },
      handler: async (request, reply) => {
        await sessions.revokeLoginSessions({ subject: single(request, 'subject'), sid: single(request, 'sid') })
        return reply.code(204).send()
      },
    },
  ]
  return { admin: true, routes }
}
