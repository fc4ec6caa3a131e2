// /admin/trust/grants/jwt-bearer/issuers: Hydra's trust relationship endpoints (RFC 7523 §2.1).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { pageHeaders, pageParams, type ListQuery } from '../http/pagination.js'
import { presentTrust, type TrustService } from './service.js'

const MAX_PAGE_SIZE = 1000
const PATH = '/trust/grants/jwt-bearer/issuers'

export function trustAdminRoutes(service: TrustService) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post(PATH, async (request, reply) => {
      const created = await service.create(request.body)
      return reply.code(201).send(presentTrust(created))
    })

    app.get(PATH, async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) => {
      const q = request.query
      const { paging, filters } = pageParams(q, MAX_PAGE_SIZE, ['issuer'])
      const { issuer } = filters
      const page = await service.list({
        ...paging,
        ...(issuer !== undefined && issuer !== '' ? { issuer } : {}),
      })
      return reply
        .headers(pageHeaders({ url: request.url, fallbackPath: PATH, size: paging.pageSize, filters, page, cursor: (t) => t.id }))
        .send(page.items.map(presentTrust))
    })

    app.get(`${PATH}/:id`, async (request: FastifyRequest<{ Params: { id: string } }>) =>
      presentTrust(await service.get(request.params.id)),
    )

    app.delete(`${PATH}/:id`, async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      await service.delete(request.params.id)
      return reply.code(204).send()
    })
  }
}
