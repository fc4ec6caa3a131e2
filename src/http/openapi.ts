// GET /.well-known/openapi.json: an OpenAPI 3.0 description of the routes this listener really
// serves, generated from Fastify's route table (an onRoute hook) and described by
// openapi-table.ts. Each listener describes itself: the public listener its public routes, the
// admin listener its admin routes (with the /admin form first and the prefix-less aliases marked
// deprecated, with an operationId suffixed `Unprefixed` so every id stays unique).
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.js'
import { OPERATIONS, SCHEMAS, type Operation, type Schema } from './openapi-table.js'

export interface RegisteredRoute {
  method: string
  /** Fastify form, e.g. /admin/clients/:id */
  url: string
}

const collected = new WeakMap<FastifyInstance, RegisteredRoute[]>()
const DESCRIBED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** Starts recording routes; call right after creating the app, before registering routes. */
export function collectRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = []
  collected.set(app, routes)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      const m = String(method).toUpperCase()
      if (DESCRIBED_METHODS.has(m)) routes.push({ method: m, url: route.url })
    }
  })
}

/** The routes recorded on `app` (GET, POST, PUT, PATCH, DELETE; HEAD and OPTIONS are implied). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return collected.get(app) ?? []
}

/** `/clients/:id` → `/clients/{id}`; a trailing slash is dropped. */
export function openApiPath(url: string): string {
  const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
  return path.length > 1 ? path.replace(/\/$/, '') : path
}

function generatedId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

function describe(listener: 'public' | 'admin', method: string, path: string): Operation & { deprecated?: boolean } {
  const m = method.toLowerCase()
  const direct = OPERATIONS[`${m} ${path}`]
  if (direct) return direct
  // Prefix-less admin aliases (Hydra 1 paths) share the /admin description.
  const aliased = listener === 'admin' && !path.startsWith('/admin/') ? OPERATIONS[`${m} /admin${path}`] : undefined
  if (aliased) {
    return { ...aliased, operationId: `${aliased.operationId}Unprefixed`, summary: `${aliased.summary} (prefix-less alias of /admin${path})`, deprecated: true }
  }
  const params = [...path.matchAll(/\{([^}]+)\}/g)].map((p): Schema => ({ name: p[1], in: 'path', required: true, schema: { type: 'string' } }))
  return {
    operationId: generatedId(method, path),
    tags: [listener],
    summary: `${method} ${path}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    responses: { default: { description: 'Any response', content: { 'application/json': { schema: { $ref: '#/components/schemas/errorOAuth2' } } } } },
  }
}

export function buildOpenApi(listener: 'public' | 'admin', routes: readonly RegisteredRoute[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))
  for (const route of sorted) {
    const path = openApiPath(route.url)
    const item = (paths[path] ??= {})
    item[route.method.toLowerCase()] = describe(listener, route.method, path)
  }
  const used = new Set<string>()
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect)
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') used.add(v.split('/').at(-1)!)
        else collect(v)
      }
    }
  }
  collect(paths)
  // Schemas refer to schemas too (a consent request embeds a client): close over them.
  for (let size = -1; size !== used.size; ) {
    size = used.size
    for (const name of [...used]) collect(SCHEMAS[name])
  }
  return {
    openapi: '3.0.3',
    info: {
      title: listener === 'public' ? 'Orthrus public API' : 'Orthrus admin API',
      version: VERSION,
      description:
        listener === 'public'
          ? 'OAuth 2.0 and OpenID Connect endpoints, wire-compatible with Ory Hydra 2.x.'
          : 'Administration of clients, keys, login/consent/logout flows and sessions, wire-compatible with Ory Hydra 2.x.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries([...used].sort().filter((n) => SCHEMAS[n] !== undefined).map((n) => [n, SCHEMAS[n]])),
    },
  }
}

/**
 * Registers GET /.well-known/openapi.json. `routes` is the live list from registeredRoutes(root):
 * the document is built on first request, when every route is known.
 */
export function openApiRoute(listener: 'public' | 'admin', serverUrl: string, routes: readonly RegisteredRoute[]) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    let document: string | undefined
    app.get('/.well-known/openapi.json', async (_request, reply) => {
      document ??= JSON.stringify(buildOpenApi(listener, routes, serverUrl))
      return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(document)
    })
  }
}
