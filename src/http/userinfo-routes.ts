// GET/POST /userinfo (OpenID Connect Core §5.3) with a bearer access token (RFC 6750), or a
// DPoP-bound one with its proof (RFC 9449 §7).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import { singleValued } from '../oauth2/token.js'
import { invalidToken, type Userinfo } from '../oidc/userinfo.js'
import { acceptForms, formBody } from './form.js'
import { httpFactsOf } from './request-facts.js'
import type { Route, RouteGroup } from './route-table.js'
import { errorOAuth2, oidcUserInfo } from './schemas/components.js'

/**
 * RFC 6750 §2.1 (header) or §2.2 (form body); using both at once is refused (§2). RFC 9449 §7.1:
 * `Authorization: DPoP <token>` names a DPoP-bound token.
 */
function presentedToken(request: FastifyRequest, allowForm: boolean): { token: string; scheme: 'Bearer' | 'DPoP' } {
  const header = request.headers.authorization
  let fromHeader: string | undefined
  let scheme: 'Bearer' | 'DPoP' = 'Bearer'
  if (header !== undefined) {
    const m = /^(bearer|dpop) +(\S+)\s*$/i.exec(header)
    if (!m?.[2]) throw invalidToken()
    fromHeader = m[2]
    if (m[1]?.toLowerCase() === 'dpop') scheme = 'DPoP'
  }
  const fromForm = allowForm ? singleValued(formBody(request)).access_token : undefined
  if (fromHeader !== undefined && fromForm !== undefined) {
    throw invalidRequest('The access token must be sent in the Authorization header or the form body, not both.')
  }
  return { token: fromHeader ?? fromForm ?? '', scheme }
}

export function userinfoRoutes(userinfo: Userinfo): RouteGroup {
  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    const { token, scheme } = presentedToken(request, request.method === 'POST')
    const result = await userinfo.answer(token, { scheme, http: httpFactsOf(request) })
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    if (result.type === 'jwt') return reply.header('content-type', 'application/jwt').send(result.token)
    return reply.header('content-type', 'application/json; charset=utf-8').send(result.claims)
  }
  const route = { url: '/userinfo', tags: ['oidc'], cors: 'client', handler: answer } satisfies Partial<Route>
  return {
    setup: acceptForms,
    routes: [
      {
        ...route,
        method: 'GET',
        operationId: 'getOidcUserInfo',
        summary: 'Claims about the user an access token speaks for (OpenID Connect Core §5.3)',
        responses: { '200': oidcUserInfo, default: errorOAuth2 },
        discovery: 'userinfo_endpoint',
      },
      {
        ...route,
        method: 'POST',
        operationId: 'getOidcUserInfoPost',
        summary: 'The userinfo endpoint with the access token in a form body (RFC 6750 §2.2)',
        responses: { '200': oidcUserInfo, default: errorOAuth2 },
      },
    ],
  }
}
