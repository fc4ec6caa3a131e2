// HTTP edges of the OAuth 2.0 token endpoints: the token and revocation endpoints on the public
// listener, introspection and token deletion on the admin listener.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { OAuth2 } from '../oauth2/services.js'
import { credentialParams, singleValued } from '../oauth2/token.js'
import { acceptForms, formBody } from './form.js'
import { httpFactsOf } from './request-facts.js'
import type { RouteGroup } from './route-table.js'
import { errorOAuth2, form, introspectedOAuth2Token, oAuth2TokenExchange, query } from './schemas/components.js'

// RFC 6749 §5.1: responses carrying tokens must not be cached.
const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store').header('pragma', 'no-cache')

const authorizationOf = (request: FastifyRequest): string | undefined => request.headers.authorization

const TOKEN_FORM = form(
  {
    grant_type: 'The grant type',
    code: 'An authorization code',
    refresh_token: 'A refresh token',
    redirect_uri: 'The redirect URI of the code request',
    client_id: 'The client, when it authenticates in the body or not at all',
    client_secret: 'The client secret (client_secret_post)',
    scope: 'Space-separated scopes',
    audience: 'Requested audiences',
    code_verifier: 'PKCE verifier (RFC 7636)',
  },
  ['grant_type'],
)

export function oauth2PublicRoutes(oauth2: Pick<OAuth2, 'token' | 'clientAuth' | 'revocation'>): RouteGroup {
  return {
    setup: acceptForms,
    routes: [
      {
        method: 'POST',
        url: '/oauth2/token',
        operationId: 'oauth2TokenExchange',
        summary: 'The token endpoint (RFC 6749 §3.2)',
        tags: ['oAuth2'],
        body: { media: 'form', schema: TOKEN_FORM },
        // fosite checks the client and words a missing grant_type itself ("Request parameter …").
        checkedByHandler: ['grant_type'],
        responses: { '200': oAuth2TokenExchange, default: errorOAuth2 },
        postOnly: true,
        discovery: 'token_endpoint',
        cors: 'client',
        handler: async (request, reply) => {
          const response = await oauth2.token.handle({ ...httpFactsOf(request), form: formBody(request) })
          return noStore(reply).header('content-type', 'application/json; charset=utf-8').send(response)
        },
      },
      {
        method: 'POST',
        url: '/oauth2/revoke',
        operationId: 'revokeOAuth2Token',
        summary: 'Token revocation (RFC 7009)',
        tags: ['oAuth2'],
        body: {
          media: 'form',
          schema: form({ token: 'The token to revoke', token_type_hint: 'access_token or refresh_token', client_id: 'The client', client_secret: 'The client secret (client_secret_post)' }, ['token']),
        },
        responses: { '200': 'Revoked, or the token was unknown', default: errorOAuth2 },
        postOnly: true,
        discovery: 'revocation_endpoint',
        cors: 'client',
        // RFC 7009 §2.1: the client authenticates as at the token endpoint.
        handler: async (request, reply) => {
          const body = singleValued(formBody(request))
          if (body.token === undefined) throw invalidRequest("The request parameter 'token' is missing.")
          const { client } = await oauth2.clientAuth.authenticate({ authorization: authorizationOf(request), form: credentialParams(body) })
          await oauth2.revocation.revoke(client, body.token, body.token_type_hint)
          return noStore(reply).code(200).send()
        },
      },
    ],
  }
}

interface DeleteTokensQuery {
  client_id?: string | string[]
}

export function oauth2AdminRoutes(oauth2: Pick<OAuth2, 'introspection' | 'revocation'>): RouteGroup {
  return {
    admin: true,
    // Forms only in this scope: the rest of the admin API stays JSON-only.
    setup: acceptForms,
    routes: [
      {
        method: 'POST',
        url: '/oauth2/introspect',
        operationId: 'introspectOAuth2Token',
        summary: 'Token introspection (RFC 7662)',
        tags: ['oAuth2'],
        body: { media: 'form', schema: form({ token: 'The token to inspect', scope: 'Space-separated scopes the token must carry' }, ['token']) },
        responses: { '200': introspectedOAuth2Token, default: errorOAuth2 },
        postOnly: true,
        handler: async (request, reply) => {
          const body = singleValued(formBody(request))
          if (body.token === undefined) throw invalidRequest("The request parameter 'token' is missing.")
          const result = await oauth2.introspection.introspect(body.token, body.scope)
          return reply.header('content-type', 'application/json; charset=utf-8').send(result)
        },
      },
      {
        method: 'DELETE',
        url: '/oauth2/tokens',
        operationId: 'deleteOAuth2Token',
        summary: 'Delete every access token of a client',
        tags: ['oAuth2'],
        querystring: query({ client_id: 'The client' }, ['client_id']),
        // Hydra words this one differently ("… but it should have been."), and refuses it empty too.
        checkedByHandler: ['client_id'],
        responses: { '204': 'Deleted', default: errorOAuth2 },
        handler: async (request, reply) => {
          const clientId = (request.query as DeleteTokensQuery).client_id
          if (Array.isArray(clientId)) throw invalidRequest("Query parameter 'client_id' must only be given once.")
          if (clientId === undefined || clientId === '') {
            throw invalidRequest("Query parameter 'client_id' is not defined but it should have been.")
          }
          await oauth2.revocation.deleteClientTokens(clientId)
          return reply.code(204).send()
        },
      },
    ],
  }
}
