// The public edge of dynamic client registration (RFC 7591 §3, RFC 7592 §2). Only mounted when
// oidc.dynamic_client_registration.enabled is set; otherwise the paths are unknown routes (404).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { REGISTRATION_PATH, type DynamicRegistration } from '../client/registration.js'
import { addJsonParser } from './app.js'
import { paramOf, type Route, type RouteGroup } from './route-table.js'
import { errorOAuth2, oAuth2Client, pathParams } from './schemas/components.js'
import { clientBodyRefusal } from './validation.js'

const idOf = (request: FastifyRequest): string => paramOf(request, 'id')

// RFC 7591 §3.2.1 / RFC 7592 §3: responses carrying credentials must not be cached.
const noStore = (reply: FastifyReply): FastifyReply =>
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache').header('content-type', 'application/json; charset=utf-8')

/** RFC 7591 §3.1: the metadata is a JSON document. Any other body is a 415 in the error shape. */
function acceptJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  addJsonParser(app, ['application/json'])
}

const ID = pathParams({ id: 'The client id' })
const oidc = { tags: ['oidc'] as const }

export function registrationRoutes(registration: DynamicRegistration): RouteGroup {
  const routes: Route[] = [
    {
      ...oidc,
      method: 'POST',
      url: REGISTRATION_PATH,
      operationId: 'createOidcDynamicClient',
      summary: 'Dynamic client registration (RFC 7591)',
      body: { media: 'json', schema: oAuth2Client, refuse: clientBodyRefusal },
      responses: { '201': oAuth2Client, '400': errorOAuth2, default: errorOAuth2 },
      discovery: 'registration_endpoint',
      handler: async (request, reply) => noStore(reply).code(201).send(await registration.register(request.body)),
    },
    {
      ...oidc,
      method: 'GET',
      url: `${REGISTRATION_PATH}/:id`,
      operationId: 'getOidcDynamicClient',
      summary: 'Read a dynamically registered client (RFC 7592)',
      params: ID,
      responses: { '200': oAuth2Client, default: errorOAuth2 },
      handler: async (request, reply) => noStore(reply).send(await registration.read(idOf(request), request.headers.authorization)),
    },
    {
      ...oidc,
      method: 'PUT',
      url: `${REGISTRATION_PATH}/:id`,
      operationId: 'setOidcDynamicClient',
      summary: 'Replace a dynamically registered client (RFC 7592)',
      params: ID,
      body: { media: 'json', schema: oAuth2Client, refuse: clientBodyRefusal },
      responses: { '200': oAuth2Client, '404': errorOAuth2, default: errorOAuth2 },
      handler: async (request, reply) => noStore(reply).send(await registration.update(idOf(request), request.headers.authorization, request.body)),
    },
    {
      ...oidc,
      method: 'DELETE',
      url: `${REGISTRATION_PATH}/:id`,
      operationId: 'deleteOidcDynamicClient',
      summary: 'Delete a dynamically registered client (RFC 7592)',
      params: ID,
      responses: { '204': 'Deleted', default: errorOAuth2 },
      handler: async (request, reply) => {
        await registration.delete(idOf(request), request.headers.authorization)
        return reply.code(204).send()
      },
    },
  ]
  return { setup: acceptJson, routes }
}
