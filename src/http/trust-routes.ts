// /admin/trust/grants/jwt-bearer/issuers: Hydra's trust relationship endpoints (RFC 7523 §2.1).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { presentTrust, type TrustService } from '../trust/service.js'
import { trustRequestRefused, type TrustBody } from '../trust/validate.js'
import { pageHeaders, pageParams, type ListQuery } from './pagination.js'
import { paramOf, type Route, type RouteGroup } from './route-table.js'
import { errorOAuth2, pathParams, query, trustOAuth2JwtGrantIssuer, trustedOAuth2JwtGrantIssuer, trustedOAuth2JwtGrantIssuers } from './schemas/components.js'

const MAX_PAGE_SIZE = 1000
const PATH = '/trust/grants/jwt-bearer/issuers'

const idOf = (request: FastifyRequest): string => paramOf(request, 'id')
const ID = pathParams({ id: 'The trust relationship id' })
const trust = { tags: ['oAuth2'] as const }

export function trustAdminRoutes(service: TrustService): RouteGroup {
  const routes: Route[] = [
    {
      ...trust,
      method: 'POST',
      url: PATH,
      operationId: 'trustOAuth2JwtGrantIssuer',
      summary: 'Trust an issuer of JWT grants',
      // A member of the wrong type is refused in trust/validate.ts's words; the values (required
      // members, subject or allow_any_subject, the key, the date) are checked there after decoding.
      body: { media: 'json', schema: trustOAuth2JwtGrantIssuer, refuse: (_reason, p) => trustRequestRefused(p.at) },
      responses: { '201': trustedOAuth2JwtGrantIssuer, default: errorOAuth2 },
      handler: async (request, reply) => reply.code(201).send(presentTrust(await service.create(request.body as TrustBody | null))),
    },
    {
      ...trust,
      method: 'GET',
      url: PATH,
      operationId: 'listTrustedOAuth2JwtGrantIssuers',
      summary: 'List trusted JWT grant issuers',
      querystring: query({ page_size: 'Items per page', page_token: 'Opaque page token', issuer: 'Only this issuer' }),
      responses: { '200': trustedOAuth2JwtGrantIssuers, default: errorOAuth2 },
      handler: async (request, reply: FastifyReply) => {
        const q = request.query as ListQuery
        const { paging, filters } = pageParams(q, MAX_PAGE_SIZE, ['issuer'])
        const { issuer } = filters
        const page = await service.list({ ...paging, ...(issuer !== undefined && issuer !== '' ? { issuer } : {}) })
        return reply
          .headers(pageHeaders({ url: request.url, fallbackPath: PATH, size: paging.pageSize, filters, page, cursor: (t) => t.id }))
          .send(page.items.map(presentTrust))
      },
    },
    {
      ...trust,
      method: 'GET',
      url: `${PATH}/:id`,
      operationId: 'getTrustedOAuth2JwtGrantIssuer',
      summary: 'Read a trusted JWT grant issuer',
      params: ID,
      responses: { '200': trustedOAuth2JwtGrantIssuer, default: errorOAuth2 },
      handler: async (request) => presentTrust(await service.get(idOf(request))),
    },
    {
      ...trust,
      method: 'DELETE',
      url: `${PATH}/:id`,
      operationId: 'deleteTrustedOAuth2JwtGrantIssuer',
      summary: 'Stop trusting a JWT grant issuer',
      params: ID,
      responses: { '204': 'Deleted', default: errorOAuth2 },
      handler: async (request, reply) => {
        await service.delete(idOf(request))
        return reply.code(204).send()
      },
    },
  ]
  return { admin: true, routes }
}
