// HTTP edges of the OAuth 2.0 token endpoints: the token and revocation endpoints on the public
// listener, introspection and token deletion on the admin listener.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { OAuth2 } from '../oauth2/services.js'
import { credentialParams, singleValued } from '../oauth2/token.js'
import { acceptForms, formBody, postOnly } from './form.js'

// RFC 6749 §5.1: responses carrying tokens must not be cached.
const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store').header('pragma', 'no-cache')

const authorizationOf = (request: FastifyRequest): string | undefined => request.headers.authorization

export function oauth2PublicRoutes(oauth2: Pick<OAuth2, 'token' | 'clientAuth' | 'revocation'>) {
  return async function routes(app: FastifyInstance): Promise<void> {
    acceptForms(app)
    postOnly(app, '/oauth2/token')
    postOnly(app, '/oauth2/revoke')

    app.post('/oauth2/token', async (request, reply) => {
      const response = await oauth2.token.handle({ authorization: authorizationOf(request), form: formBody(request) })
      return noStore(reply).header('content-type', 'application/json; charset=utf-8').send(response)
    })

    // RFC 7009 §2.1: the client authenticates as at the token endpoint.
    app.post('/oauth2/revoke', async (request, reply) => {
      const form = singleValued(formBody(request))
      if (form.token === undefined) throw invalidRequest("The request parameter 'token' is missing.")
      const { client } = await oauth2.clientAuth.authenticate({
        authorization: authorizationOf(request),
        form: credentialParams(form),
      })
      await oauth2.revocation.revoke(client, form.token, form.token_type_hint)
      return noStore(reply).code(200).send()
    })
  }
}

interface DeleteTokensQuery {
  client_id?: string | string[]
}

/** Registered inside the admin app's prefix-less and /admin scopes alike. */
export function oauth2AdminRoutes(oauth2: Pick<OAuth2, 'introspection' | 'revocation'>) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // Forms only in this scope: the rest of the admin API stays JSON-only.
    acceptForms(app)
    postOnly(app, '/oauth2/introspect')

    app.post('/oauth2/introspect', async (request, reply) => {
      const form = singleValued(formBody(request))
      if (form.token === undefined) throw invalidRequest("The request parameter 'token' is missing.")
      const result = await oauth2.introspection.introspect(form.token, form.scope)
      return reply.header('content-type', 'application/json; charset=utf-8').send(result)
    })

    app.delete('/oauth2/tokens', async (request: FastifyRequest<{ Querystring: DeleteTokensQuery }>, reply) => {
      const clientId = request.query.client_id
      if (Array.isArray(clientId)) throw invalidRequest("Query parameter 'client_id' must only be given once.")
      if (clientId === undefined || clientId === '') {
        throw invalidRequest("Query parameter 'client_id' is not defined but it should have been.")
      }
      await oauth2.revocation.deleteClientTokens(clientId)
      return reply.code(204).send()
    })
  }
}
