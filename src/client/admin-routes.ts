import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { pageHeaders, pageParams, type ListQuery } from '../http/pagination.js'
import { presentClient } from './present.js'
import type { ClientService, ClientView } from './service.js'

const MAX_PAGE_SIZE = 500

const view = (v: ClientView) => presentClient(v.client, v.secret !== undefined ? { secret: v.secret } : {})

export function clientAdminRoutes(service: ClientService) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post('/clients', async (request, reply) => {
      const created = await service.create(request.body)
      return reply.code(201).send(view(created))
    })

    app.get('/clients', async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) => {
      const q = request.query
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
    })

    app.get('/clients/:id', async (request: FastifyRequest<{ Params: { id: string } }>) =>
      presentClient(await service.get(request.params.id)),
    )

    app.put('/clients/:id', async (request: FastifyRequest<{ Params: { id: string } }>) =>
      view(await service.replace(request.params.id, request.body)),
    )

    app.patch('/clients/:id', async (request: FastifyRequest<{ Params: { id: string } }>) =>
      view(await service.patch(request.params.id, request.body)),
    )

    app.delete('/clients/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      await service.delete(request.params.id)
      return reply.code(204).send()
    })

    app.put('/clients/:id/lifespans', async (request: FastifyRequest<{ Params: { id: string } }>) =>
      presentClient(await service.setLifespans(request.params.id, request.body)),
    )
  }
}
