// The admin API's OAuth 2.0 client endpoints (Hydra's /admin/clients).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { presentClient } from '../client/present.js'
import { patchRefused, type ClientService, type ClientView, type JsonPatchBody } from '../client/service.js'
import { pageHeaders, pageParams, type ListQuery } from './pagination.js'
import { paramOf, raiseRefusal, type Route, type RouteGroup } from './route-table.js'
import { errorOAuth2, jsonPatchDocument, oAuth2Client, oAuth2ClientTokenLifespans, oAuth2Clients, pathParams, query } from './schemas/components.js'
import { clientBodyRefusal } from './validation.js'

const MAX_PAGE_SIZE = 500

const view = (v: ClientView) => presentClient(v.client, v.secret !== undefined ? { secret: v.secret } : {})

const idOf = (request: FastifyRequest): string => paramOf(request, 'id')

const ID = pathParams({ id: 'The client id' })
const client = { tags: ['oAuth2'] as const }

export function clientAdminRoutes(service: ClientService): RouteGroup {
  const routes: Route[] = [
    {
      ...client,
      method: 'POST',
      url: '/clients',
      operationId: 'createOAuth2Client',
      summary: 'Create a client',
      body: { media: 'json', schema: oAuth2Client, refuse: clientBodyRefusal },
      responses: { '201': oAuth2Client, '400': errorOAuth2, default: errorOAuth2 },
      handler: async (request, reply) => reply.code(201).send(view(await service.create(request.body))),
    },
    {
      ...client,
      method: 'GET',
      url: '/clients',
      operationId: 'listOAuth2Clients',
      summary: 'List clients, one page at a time (Link header)',
      querystring: query({ page_size: 'Items per page', page_token: 'Opaque page token', client_name: 'Only clients with this name', owner: 'Only clients of this owner' }),
      responses: { '200': oAuth2Clients, default: errorOAuth2 },
      handler: async (request, reply: FastifyReply) => {
        const q = request.query as ListQuery
        const { paging, filters } = pageParams(q, MAX_PAGE_SIZE, ['client_name', 'owner'])
        const { client_name: name, owner } = filters
        const page = await service.list({
          ...paging,
          ...(name !== undefined && name !== '' ? { name } : {}),
          ...(owner !== undefined && owner !== '' ? { owner } : {}),
        })
        return reply
          .headers(pageHeaders({ url: request.url, fallbackPath: '/clients', size: paging.pageSize, filters, page, cursor: (c) => c.client_id }))
          .send(page.items.map((c) => presentClient(c)))
      },
    },
    {
      ...client,
      method: 'GET',
      url: '/clients/:id',
      operationId: 'getOAuth2Client',
      summary: 'Read a client',
      params: ID,
      responses: { '200': oAuth2Client, default: errorOAuth2 },
      handler: async (request) => presentClient(await service.get(idOf(request))),
    },
    {
      ...client,
      method: 'PUT',
      url: '/clients/:id',
      operationId: 'setOAuth2Client',
      summary: 'Replace a client',
      params: ID,
      body: { media: 'json', schema: oAuth2Client, refuse: clientBodyRefusal },
      responses: { '200': oAuth2Client, '400': errorOAuth2, '404': errorOAuth2, default: errorOAuth2 },
      handler: async (request) => view(await service.replace(idOf(request), request.body)),
    },
    {
      ...client,
      method: 'PATCH',
      url: '/clients/:id',
      operationId: 'patchOAuth2Client',
      summary: 'Change a client with a JSON Patch (RFC 6902)',
      params: ID,
      // The patch is applied to the client's JSON and the result checked as a client body
      // (client/service.ts), which words what is wrong with the patch or its result. Hydra reads
      // the client before the patch, so an unknown client is a 404 whatever the body: the
      // schema's refusal waits for the handler.
      body: { media: 'json', schema: jsonPatchDocument, refuse: (_reason, p) => patchRefused(p.at), deferred: true },
      responses: { '200': oAuth2Client, '404': errorOAuth2, default: errorOAuth2 },
      handler: async (request) => {
        const id = idOf(request)
        if (request.validationError) {
          await service.get(id)
          raiseRefusal(request)
        }
        return view(await service.patch(id, request.body as JsonPatchBody | null))
      },
    },
    {
      ...client,
      method: 'DELETE',
      url: '/clients/:id',
      operationId: 'deleteOAuth2Client',
      summary: 'Delete a client',
      params: ID,
      responses: { '204': 'Deleted', default: errorOAuth2 },
      handler: async (request, reply) => {
        await service.delete(idOf(request))
        return reply.code(204).send()
      },
    },
    {
      ...client,
      method: 'PUT',
      url: '/clients/:id/lifespans',
      operationId: 'setOAuth2ClientLifespans',
      summary: 'Set per-grant token lifespans of a client',
      params: ID,
      body: { media: 'json', schema: oAuth2ClientTokenLifespans, refuse: clientBodyRefusal },
      responses: { '200': oAuth2Client, default: errorOAuth2 },
      handler: async (request) => presentClient(await service.setLifespans(idOf(request), request.body)),
    },
    {
      ...client,
      method: 'POST',
      url: '/clients/:id/secrets/rotate',
      operationId: 'rotateOAuth2ClientSecret',
      summary: 'Give a client a new generated secret (shown once); its previous secrets stay valid until deleted',
      params: ID,
      responses: { '200': oAuth2Client, '400': errorOAuth2, '404': errorOAuth2, default: errorOAuth2 },
      handler: async (request) => view(await service.rotateSecret(idOf(request))),
    },
    {
      ...client,
      method: 'DELETE',
      url: '/clients/:id/secrets/rotate',
      operationId: 'deleteRotatedOAuth2ClientSecrets',
      summary: "End the validity of a client's rotated secrets; only its current secret authenticates",
      params: ID,
      responses: { '200': oAuth2Client, '400': errorOAuth2, '404': errorOAuth2, default: errorOAuth2 },
      handler: async (request) => presentClient(await service.deleteRotatedSecrets(idOf(request))),
    },
  ]
  return { admin: true, routes }
}
