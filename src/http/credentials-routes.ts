// POST /credentials: Hydra's createVerifiableCredential (oidc/verifiable-credentials.ts).
import type { FastifyRequest } from 'fastify'
import { invalidToken } from '../oidc/userinfo.js'
import type { CredentialRequest, VerifiableCredentials } from '../oidc/verifiable-credentials.js'
import { invalidRequest } from '../oauth2/errors.js'
import type { RouteGroup } from './route-table.js'
import { errorOAuth2 } from './schemas/components.js'
import { hydra } from './schemas/json-schema.js'

/** RFC 6750 §2.1: the bearer access token of the Authorization header. */
function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization
  if (header === undefined) throw invalidToken()
  const m = /^bearer +(\S+)\s*$/i.exec(header)
  if (!m?.[1]) throw invalidToken()
  return m[1]
}

export function credentialsRoutes(credentials: VerifiableCredentials): RouteGroup {
  return {
    routes: [
      {
        method: 'POST',
        url: '/credentials',
        operationId: 'createVerifiableCredential',
        summary: 'Issues a verifiable credential about the subject of the bearer access token (OpenID4VCI draft 00, as Hydra)',
        tags: ['oidc'],
        // The bearer token is checked before the body, as Hydra does: the body's checks stay with the handler.
        body: { media: 'json', schema: hydra('CreateVerifiableCredentialRequestBody'), refuse: 'handler' },
        responses: {
          '200': hydra('verifiableCredentialResponse'),
          '400': hydra('verifiableCredentialPrimingResponse'),
          default: errorOAuth2,
        },
        postOnly: true,
        discovery: 'credentials_endpoint_draft_00',
        cors: 'client',
        handler: async (request, reply) => {
          const token = bearer(request)
          const body = request.body
          if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('Unable to decode request body.')
          const answer = await credentials.issue(token, body as CredentialRequest)
          return reply
            .code(answer.status)
            .header('cache-control', 'no-store')
            .header('pragma', 'no-cache')
            .header('content-type', 'application/json; charset=utf-8')
            .send(answer.body)
        },
      },
    ],
  }
}
