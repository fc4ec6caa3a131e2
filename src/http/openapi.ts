// GET /.well-known/openapi.json: an OpenAPI 3.0 description of the routes a listener serves,
// generated from its route table (route-table.ts). Each listener describes itself; the admin
// listener lists the /admin form of each route and the prefix-less alias marked deprecated, with
// an operationId suffixed `Unprefixed` so every id stays unique.
import { VERSION } from '../version.js'
import type { Answer, RouteGroup, ServedRoute } from './route-table.js'
import { anyObject, nameOf, type Schema } from './schemas/json-schema.js'

const MEDIA = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const

/** `/clients/:id` → `/clients/{id}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/** A copy of `schema` where every named schema below the top is a $ref, collecting the names used. */
function referenced(schema: unknown, used: Map<string, Schema>, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => referenced(s, used, false))
  if (schema === null || typeof schema !== 'object') return schema
  const name = nameOf(schema)
  if (name !== undefined && !top) {
    if (!used.has(name)) {
      used.set(name, schema as Schema)
      used.set(name, referenced(schema, used, true) as Schema)
    }
    return { $ref: `#/components/schemas/${name}` }
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, referenced(v, used, false)]))
}

/** A schema in an operation: a named one becomes a $ref, any other is written in place. */
const refOrInline = (schema: Schema, used: Map<string, Schema>): unknown => (referenced({ wrap: schema }, used) as { wrap: unknown }).wrap

function parameters(route: ServedRoute, used: Map<string, Schema>): Schema[] {
  const out: Schema[] = []
  const add = (where: 'path' | 'query', schema: Schema | undefined) => {
    const props = (schema?.properties ?? {}) as Record<string, Schema>
    const required = new Set((schema?.required ?? []) as string[])
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s
      out.push({ name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: refOrInline(rest, used) })
    }
  }
  add('path', route.params)
  add('query', route.querystring)
  return out
}

function response(answer: Answer, used: Map<string, Schema>): Schema {
  if (typeof answer === 'string') return { description: answer }
  const description = (answer.description as string | undefined) ?? 'A JSON answer'
  return { description, content: { 'application/json': { schema: refOrInline(answer, used) } } }
}

function operation(route: ServedRoute, used: Map<string, Schema>): Schema {
  const params = parameters(route, used)
  return {
    operationId: route.alias ? `${route.operationId}Unprefixed` : route.operationId,
    tags: [...route.tags],
    summary: route.alias ? `${route.summary} (prefix-less alias of /admin${route.url})` : route.summary,
    ...(route.alias || route.deprecated ? { deprecated: true } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? { requestBody: { required: route.body.required ?? true, content: { [MEDIA[route.body.media]]: { schema: refOrInline(route.body.schema, used) } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, answer]) => [status, response(answer, used)])),
  }
}

export function buildOpenApi(listener: 'public' | 'admin', routes: readonly ServedRoute[], serverUrl: string): Record<string, unknown> {
  const used = new Map<string, Schema>()
  const paths: Record<string, Record<string, unknown>> = {}
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
  for (const route of sorted) {
    const item = (paths[openApiPath(route.path)] ??= {})
    item[route.method.toLowerCase()] = operation(route, used)
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
    components: { schemas: Object.fromEntries([...used].sort(([a], [b]) => a.localeCompare(b))) },
  }
}

/** GET /.well-known/openapi.json; `routes` is read on first request, when every route is known. */
export function openApiRoutes(listener: 'public' | 'admin', serverUrl: string, routes: () => readonly ServedRoute[]): RouteGroup {
  let document: string | undefined
  return {
    routes: [
      {
        method: 'GET',
        url: '/.well-known/openapi.json',
        operationId: 'getOpenApiDocument',
        summary: "This description of the listener's routes",
        tags: ['metadata'],
        responses: { '200': anyObject('An OpenAPI 3 document') },
        handler: async (_request, reply) => {
          document ??= JSON.stringify(buildOpenApi(listener, routes(), serverUrl))
          return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(document)
        },
      },
    ],
  }
}
