// POST /credentials: Hydra's createVerifiableCredential (oidc/verifiable-credentials.ts).
import type { FastifyRequest } from 'fastify'
import { invalidToken } from '../oidc/userinfo.js'
import type { CredentialRequest, VerifiableCredentials } from '../oidc/verifiable-credentials.js'
import { OAuthError, invalidRequest } from '../oauth2/errors.js'
import { raiseRefusal, type RouteGroup } from './route-table.js'
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

/**
 * Hydra's refusal of a body that does not decode: invalid_request "Unable to decode request body.",
 * with the reason (which member is wrong) wrapped as the cause, shown as error_debug when
 * oauth2.expose_internal_errors is set.
 */
function undecodable(reason: string): OAuthError {
  const e = invalidRequest('Unable to decode request body.')
  return new OAuthError(e.error, e.description, e.status, e.hint, `${reason}.`)
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
        // The bearer token is checked before the body, as Hydra does: the schema's refusal waits
        // for the handler, which raises it once the token is good.
        body: { media: 'json', schema: hydra('CreateVerifiableCredentialRequestBody'), refuse: undecodable, deferred: true },
        responses: {
          '200': hydra('verifiableCredentialResponse'),
          '400': hydra('verifiableCredentialPrimingResponse'),
          default: errorOAuth2,
        },
        postOnly: true,
        discovery: 'credentials_endpoint_draft_00',
        cors: 'client',
        handler: async (request, reply) => {
          const answer = await credentials.issue(bearer(request), () => {
            raiseRefusal(request)
            // An empty body, which Go's decoder refuses; a null one is refused alike.
            if (request.body === undefined || request.body === null) throw undecodable('the body is empty')
            return request.body as CredentialRequest
          })
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
