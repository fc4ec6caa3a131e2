// /admin/trust/grants/jwt-bearer/issuers: Hydra's trust relationship endpoints (RFC 7523 §2.1).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { decodePageToken, encodePageToken } from '../client/admin-routes.js'
import { invalidRequest } from '../oauth2/errors.js'
import { presentTrust, type TrustService } from './service.js'

const DEFAULT_PAGE_SIZE = 250
const MAX_PAGE_SIZE = 1000
const PATH = '/trust/grants/jwt-bearer/issuers'

interface ListQuery {
  page_size?: string | string[]
  page_token?: string | string[]
  issuer?: string | string[]
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

export function trustAdminRoutes(service: TrustService) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post(PATH, async (request, reply) => {
      const created = await service.create(request.body)
      return reply.code(201).send(presentTrust(created))
    })

    app.get(PATH, async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) => {
      const q = request.query
      const size = pageSize(single(q.page_size, 'page_size'))
      const token = single(q.page_token, 'page_token')
      const issuer = single(q.issuer, 'issuer')
      const page = await service.list({
        pageSize: size,
        ...(token ? { after: decodePageToken(token) } : {}),
        ...(issuer !== undefined && issuer !== '' ? { issuer } : {}),
      })
      const base = request.url.split('?')[0] ?? PATH
      const link = (pageToken?: string) => {
        const params = new URLSearchParams({ page_size: String(size) })
        if (issuer) params.set('issuer', issuer)
        if (pageToken) params.set('page_token', pageToken)
        return `<${base}?${params.toString()}>`
      }
      const links = [`${link()}; rel="first"`]
      const last = page.items.at(-1)
      if (page.hasMore && last) links.push(`${link(encodePageToken(last.id))}; rel="next"`)
      return reply
        .header('link', links.join(','))
        .header('x-total-count', String(page.total))
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
