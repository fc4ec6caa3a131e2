// One route table per listener: every route says its method, path, Hydra's operationId, its
// request and response schemas and its handler. The same table registers the routes with Fastify,
// generates the served /.well-known/openapi.json (openapi.ts) and gives discovery its endpoint list,
// so nothing is advertised that is not routed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest, OAuthError } from '../oauth2/errors.js'
import type { Schema } from './schemas/json-schema.js'
import { decodableJson, formFields, pathFields, queryFields, refusal, type BodyRefusal, type RefusalContext } from './validation.js'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A non-JSON answer (a redirect, an HTML page, an empty body), described in words. */
export type Answer = Schema | string

export interface Route {
  method: Method
  /** Fastify form (`/clients/:id`); admin groups add the /admin prefix. */
  url: string
  /** Hydra's operationId for the same operation; Orthrus's own for what Hydra lacks. */
  operationId: string
  summary: string
  tags: readonly string[]
  params?: Schema
  querystring?: Schema
  /**
   * The request body: JSON (admin API, registration) or an OAuth 2.0 form, with its schema, which
   * Fastify's ajv enforces (validation.ts). `refuse` words a JSON body that does not decode as
   * the route's handler words it (Hydra's envelope, or the handler's own sentence per member).
   */
  body?: {
    media: 'json' | 'form'
    schema: Schema
    required?: boolean
    refuse?: BodyRefusal
    /**
     * The refusal waits for the handler (Fastify's attachValidation), which raises it with
     * `raiseRefusal` once it has made the checks Hydra makes before reading the body.
     */
    deferred?: boolean
  }
  /**
   * Required form or query members the handler checks itself (Hydra reads an alias for it, or
   * words its absence differently): documented as required, not enforced by the schema.
   */
  checkedByHandler?: readonly string[]
  /** Answers by status ('default' for every error): a JSON schema, or words for anything else. */
  responses: Readonly<Record<string, Answer>>
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
  /** Any other method on this path is a 405 in the RFC 6749 shape, as on Hydra's POST-only OAuth 2.0 endpoints. */
  postOnly?: boolean
  /** The OpenID Provider Metadata name that advertises this endpoint (e.g. token_endpoint). */
  discovery?: string
  /** CORS on the public listener: `client` lets the requesting client's allowed_cors_origins count; `never` gets no CORS. */
  cors?: 'client' | 'never'
  /** A deprecated route (Orthrus's own, kept for older callers). */
  deprecated?: boolean
}

export interface RouteGroup {
  /** Set-up shared by the group's routes, in their own Fastify scope: body parsers, plugins. */
  setup?: (scope: FastifyInstance) => void | Promise<void>
  /** Admin API routes: answered under /admin and, as Hydra 1 did, without the prefix. */
  admin?: boolean
  routes: readonly Route[]
}

/** One route as served: its full path, and whether it is the prefix-less alias of an admin route. */
export interface ServedRoute extends Route {
  path: string
  alias?: boolean
}

/** Every route a listener serves, aliases included, in registration order. */
export function servedRoutes(groups: readonly RouteGroup[]): ServedRoute[] {
  const out: ServedRoute[] = []
  for (const group of groups) {
    for (const route of group.routes) {
      if (group.admin) {
        out.push({ ...route, path: `/admin${route.url}` })
        out.push({ ...route, path: route.url, alias: true })
      } else out.push({ ...route, path: route.url })
    }
  }
  return out
}

/** `/oauth2/token/` and `//oauth2//token` are `/oauth2/token`, as the router treats them. */
export function normalPath(url: string): string {
  const path = (url.split('?', 1)[0] ?? '').replace(/\/{2,}/g, '/')
  return path.length > 1 ? path.replace(/\/$/, '') : path
}

/**
 * The JSON answers of a route, for Fastify's compiled serializer (fast-json-stringify): an answer
 * carries only the members its schema names, so a field no schema lists (a secret, an internal
 * value) cannot leave by accident, and serialising skips JSON.stringify's generic walk.
 */
function jsonAnswers(responses: Route['responses']): Record<string, Schema> | undefined {
  const json = Object.entries(responses).filter((e): e is [string, Schema] => typeof e[1] !== 'string')
  return json.length > 0 ? Object.fromEntries(json) : undefined
}

/**
 * The request schemas Fastify's ajv enforces for a route (validation.ts says what each checks),
 * and the formatter that turns a refusal into the route's 400.
 */
export function requestSchemas(route: Route): { schema: Record<string, Schema>; schemaErrorFormatter?: ReturnType<typeof refusal> } {
  const schema: Record<string, Schema> = {}
  if (route.params) schema.params = pathFields(route.params)
  if (route.querystring) schema.querystring = queryFields(route.querystring, route.checkedByHandler)
  const body = route.body
  if (body) {
    schema.body = body.media === 'form' ? formFields(body.schema, route.checkedByHandler) : decodableJson(body.schema)
  }
  if (Object.keys(schema).length === 0) return { schema }
  const ctx: RefusalContext = { schemas: schema, ...(body ? { media: body.media } : {}), ...(body?.media === 'json' && body.refuse ? { json: body.refuse } : {}) }
  return { schema, schemaErrorFormatter: refusal(ctx) }
}

const postOnlyPaths = new WeakMap<FastifyInstance, Set<string>>()
const methodsByPath = new WeakMap<FastifyInstance, Map<string, { pattern: RegExp; methods: Set<string> }>>()
const answersOptions = new WeakSet<FastifyInstance>()

/**
 * Makes the not-found handler answer OPTIONS on a routed path as Hydra's router does (200 with an
 * Allow header): the preflights CORS hands on with serve.*.cors.options_passthrough end there.
 */
export function answerOptions(app: FastifyInstance): void {
  answersOptions.add(app)
}

/** The Allow header for an OPTIONS request the router answers itself, or undefined. */
export function optionsAllow(app: FastifyInstance, request: FastifyRequest): string | undefined {
  if (request.method !== 'OPTIONS' || !answersOptions.has(app)) return undefined
  const path = normalPath(request.url)
  for (const { pattern, methods } of methodsByPath.get(app)?.values() ?? []) {
    if (pattern.test(path)) return [...methods, 'OPTIONS'].join(', ')
  }
  return undefined
}
const registered = new WeakMap<FastifyInstance, ServedRoute[]>()

/** The routes registerRoutes put on `app` (the listener's table as served). */
export const routesOf = (app: FastifyInstance): readonly ServedRoute[] => registered.get(app) ?? []

/**
 * Registers the groups on `app`, each in its own scope. Returns the served routes, which the
 * OpenAPI document and discovery read.
 */
export async function registerRoutes(app: FastifyInstance, groups: readonly RouteGroup[]): Promise<ServedRoute[]> {
  const served = servedRoutes(groups)
  for (const group of groups) {
    const plugin = async (scope: FastifyInstance) => {
      await group.setup?.(scope)
      for (const route of group.routes) {
        const response = jsonAnswers(route.responses)
        const request = requestSchemas(route)
        scope.route({
          method: route.method,
          url: route.url,
          handler: route.handler,
          schema: { ...request.schema, ...(response ? { response } : {}) },
          ...(request.schemaErrorFormatter ? { schemaErrorFormatter: request.schemaErrorFormatter } : {}),
          ...(route.body?.deferred ? { attachValidation: true } : {}),
        })
      }
    }
    if (group.admin) {
      await app.register(plugin, { prefix: '/admin' })
      await app.register(plugin)
    } else await app.register(plugin)
  }
  const guarded = postOnlyPaths.get(app) ?? new Set<string>()
  for (const route of served) if (route.postOnly) guarded.add(route.path)
  postOnlyPaths.set(app, guarded)
  const byPath = methodsByPath.get(app) ?? new Map<string, { pattern: RegExp; methods: Set<string> }>()
  for (const route of served) {
    const entry = byPath.get(route.path) ?? { pattern: new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`), methods: new Set<string>() }
    entry.methods.add(route.method)
    byPath.set(route.path, entry)
  }
  methodsByPath.set(app, byPath)
  registered.set(app, [...routesOf(app), ...served])
  return served
}

/**
 * For the not-found handler: Hydra's router answers another method on a POST-only endpoint with
 * 405 and an Allow header, here in the RFC 6749 shape with fosite's wording. OPTIONS stays with CORS.
 */
export function wrongMethod(app: FastifyInstance, request: FastifyRequest): OAuthError | undefined {
  if (request.method === 'POST' || request.method === 'OPTIONS') return undefined
  if (!postOnlyPaths.get(app)?.has(normalPath(request.url))) return undefined
  const e = invalidRequest(`HTTP method is '${request.method}', expected 'POST'.`)
  return new OAuthError(e.error, e.description, 405, e.hint, undefined, { allow: 'OPTIONS, POST' })
}

/** For a route whose refusal is deferred: throws it, if the request's schemas refused anything. */
export function raiseRefusal(request: FastifyRequest): void {
  if (request.validationError) throw request.validationError
}

/** A path parameter of the matched route (Fastify decoded it). */
export const paramOf = (request: FastifyRequest, name: string): string => (request.params as Record<string, string>)[name] ?? ''

/** Paths of routes that satisfy `test`, for hooks that work by path (CORS). */
export function pathsWhere(routes: readonly ServedRoute[], test: (route: ServedRoute) => boolean): Set<string> {
  return new Set(routes.filter(test).map((r) => r.path))
}

/** Discovery's endpoints: metadata name → path, from the routes that advertise themselves. */
export function discoveryEndpoints(routes: readonly ServedRoute[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const route of routes) if (route.discovery !== undefined && !route.alias) out[route.discovery] = route.path
  return out
}
