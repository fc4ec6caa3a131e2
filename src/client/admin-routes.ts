import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import { presentClient } from './present.js'
import type { ClientService, ClientView } from './service.js'

const DEFAULT_PAGE_SIZE = 250
const MAX_PAGE_SIZE = 500

interface ListQuery {
  page_size?: string | string[]
  page_token?: string | string[]
  client_name?: string | string[]
  owner?: string | string[]
}

function single(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw invalidRequest(`The query parameter "${name}" must be given at most once.`)
  return v
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalidRequest(`page_size = "${raw}" must be a positive integer.`)
  return Math.min(Number(raw), MAX_PAGE_SIZE)
}

// Page tokens are opaque to clients; inside they carry the keyset cursor.
export function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url')
}

export function decodePageToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown }
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after
  } catch {
    // fall through
  }
  throw invalidRequest('The page_token is invalid or has expired.')
}

const view = (v: ClientView) => presentClient(v.client, v.secret !== undefined ? { secret: v.secret } : {})

export function clientAdminRoutes(service: ClientService) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post('/clients', async (request, reply) => {
      const created = await service.create(request.body)
      return reply.code(201).send(view(created))
    })

    app.get('/clients', async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) => {
      const q = request.query
      const size = pageSize(single(q.page_size, 'page_size'))
      const token = single(q.page_token, 'page_token')
      const name = single(q.client_name, 'client_name')
      const owner = single(q.owner, 'owner')
      const page = await service.list({
        pageSize: size,
        ...(token ? { after: decodePageToken(token) } : {}),
        ...(name !== undefined && name !== '' ? { name } : {}),
        ...(owner !== undefined && owner !== '' ? { owner } : {}),
      })
      const base = request.url.split('?')[0] ?? '/clients'
      const link = (pageToken?: string) => {
        const params = new URLSearchParams({ page_size: String(size) })
        if (name) params.set('client_name', name)
        if (owner) params.set('owner', owner)
        if (pageToken) params.set('page_token', pageToken)
        return `<${base}?${params.toString()}>`
      }
      const links = [`${link()}; rel="first"`]
      const last = page.items.at(-1)
      if (page.hasMore && last) links.push(`${link(encodePageToken(last.client_id))}; rel="next"`)
      return reply
        .header('link', links.join(','))
        .header('x-total-count', String(page.total))
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
