// The wire contract, checked on every JSON answer the HTTP tests see: an answer of an operation
// Hydra has must match Hydra's response schema for its status (the project's copy in
// src/http/schemas/hydra.ts); an answer of an Orthrus-only route must match that route's own
// schema; anything else that is JSON must be an error in Hydra's errorOAuth2 shape. Installed once,
// in test/support (app.ts wraps app.inject, socket-server.ts wraps fetch), so every test is checked.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsImport from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import { openApiPath } from '../../src/http/openapi.js'
import { normalPath, routesOf, type ServedRoute } from '../../src/http/route-table.js'
import { HYDRA_COMPONENTS, HYDRA_OPERATIONS } from '../../src/http/schemas/hydra.js'

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)
// OpenAPI's integer formats say nothing JSON Schema checks.
ajv.addFormat('int64', true)
ajv.addFormat('int32', true)
// The one documented deviation of Hydra's description from its server: a client's jwks is
// go-jose's JSONWebKeySet, which accepts keys without kid, alg or use and leaves them out of the
// answer, while the description's jsonWebKey lists them as required. Only the client's keys are
// checked with kty alone required; the key endpoints' answers keep Hydra's jsonWebKey.
const components = HYDRA_COMPONENTS as Record<string, Record<string, unknown>>
const clientSchema = components.oAuth2Client as { properties: Record<string, unknown> }
const hydraComponents = {
  ...components,
  clientJsonWebKey: { ...components.jsonWebKey, required: ['kty'] },
  clientJsonWebKeySet: { ...components.jsonWebKeySet, properties: { keys: { type: 'array', items: { $ref: '#/components/schemas/clientJsonWebKey' } } } },
  oAuth2Client: { ...clientSchema, properties: { ...clientSchema.properties, jwks: { $ref: '#/components/schemas/clientJsonWebKeySet' } } },
}
ajv.addSchema({ $id: 'hydra', components: { schemas: hydraComponents } })

const toHydraRefs = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"hydra#/components/schemas/'))

const compiled = new Map<unknown, ValidateFunction>()
function validator(schema: unknown, hydra: boolean): ValidateFunction {
  let v = compiled.get(schema)
  if (!v) {
    v = ajv.compile((hydra ? toHydraRefs(schema) : schema) as object)
    compiled.set(schema, v)
  }
  return v
}

const HYDRA_ERROR = { $ref: '#/components/schemas/errorOAuth2' }
// Hydra's description gives a few admin operations (trust relationships, client deletion, dynamic
// client deletion) the genericError shape for errors, but its server writes every error through
// the same writer as the others, in the errorOAuth2 shape: that is the contract checked.
const GENERIC_ERROR = '#/components/schemas/genericError'
const errorSchema = (schema: unknown, status: number): unknown =>
  status >= 400 && (schema as { $ref?: string }).$ref === GENERIC_ERROR ? HYDRA_ERROR : schema

interface Matcher {
  route: ServedRoute
  pattern: RegExp
}
const matchers = new WeakMap<FastifyInstance, Matcher[]>()

function routeFor(app: FastifyInstance, method: string, url: string): ServedRoute | undefined {
  let list = matchers.get(app)
  if (!list) {
    list = routesOf(app).map((route) => ({ route, pattern: new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`) }))
    matchers.set(app, list)
  }
  const path = normalPath(url)
  return list.find((m) => m.route.method === method && m.pattern.test(path))?.route
}

/** The schema an answer must match, and whether it is one of Hydra's. */
function schemaFor(route: ServedRoute | undefined, status: number): { schema: unknown; hydra: boolean; name: string } {
  if (route) {
    const path = openApiPath(route.alias ? `/admin${route.url}` : route.path)
    const key = `${route.method} ${path}`
    const hydra = HYDRA_OPERATIONS[key]
    if (hydra) {
      const schema = hydra.responses[String(status)] ?? hydra.responses.default
      if (schema) return { schema: errorSchema(schema, status), hydra: true, name: `Hydra's ${hydra.operationId} ${status}` }
      if (status >= 400) return { schema: HYDRA_ERROR, hydra: true, name: `Hydra's errorOAuth2 (${hydra.operationId} ${status})` }
      return { schema: undefined, hydra: true, name: `Hydra's ${hydra.operationId} ${status}: no JSON body` }
    }
    const own = route.responses[String(status)] ?? route.responses.default
    if (own !== undefined && typeof own !== 'string') return { schema: own, hydra: false, name: `${route.operationId} ${status}` }
    if (status >= 400) return { schema: HYDRA_ERROR, hydra: true, name: `errorOAuth2 (${route.operationId} ${status})` }
    return { schema: undefined, hydra: false, name: `${route.operationId} ${status}: no JSON body` }
  }
  return { schema: HYDRA_ERROR, hydra: true, name: `errorOAuth2 (no route, ${status})` }
}

/** Why a JSON answer breaks the contract, or undefined when it keeps it (or is not JSON). */
export function contractViolation(app: FastifyInstance, method: string, url: string, status: number, contentType: string | undefined, body: string): string | undefined {
  if (method === 'HEAD' || body === '' || !/^application\/json\b/i.test(contentType ?? '')) return undefined
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return `${method} ${url} -> ${status}: the body is labelled JSON but does not parse`
  }
  const { schema, hydra, name } = schemaFor(routeFor(app, method, url), status)
  if (schema === undefined) return `${method} ${url} -> ${status}: a JSON body where ${name}`
  const validate = validator(schema, hydra)
  if (validate(value)) return undefined
  return `${method} ${url} -> ${status} does not match ${name}: ${ajv.errorsText(validate.errors)}\n${body.slice(0, 2000)}`
}

/** Wraps app.inject so every answer is checked; a violation fails the calling test at once. */
export function checkInjectedAnswers(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (opts: unknown) => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>
  const wrapped = async (opts: unknown) => {
    const res = await inject(opts)
    const o = (typeof opts === 'string' ? { url: opts } : opts) as { method?: string; url?: string; path?: string }
    const url = o.url ?? o.path ?? '/'
    const problem = contractViolation(app, (o.method ?? 'GET').toUpperCase(), url, res.statusCode, res.headers['content-type'] as string | undefined, res.body)
    if (problem) throw new Error(`wire contract: ${problem}`)
    return res
  }
  ;(app as unknown as { inject: typeof wrapped }).inject = wrapped
}

/**
 * Wraps the global fetch while a socket server runs: answers from `apps` (by base URL) are checked,
 * violations collected; stop() restores fetch and throws if any were seen.
 */
export function checkFetchedAnswers(apps: Array<{ base: string; app: FastifyInstance }>): { stop(): void } {
  const original = globalThis.fetch
  const problems: string[] = []
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await original(input, init)
    const url = input instanceof Request ? input.url : String(input)
    const target = apps.find((a) => a.base !== '' && url.startsWith(a.base))
    if (target) {
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
      const body = await res.clone().text()
      const problem = contractViolation(target.app, method, url.slice(target.base.length) || '/', res.status, res.headers.get('content-type') ?? undefined, body)
      if (problem) problems.push(problem)
    }
    return res
  }
  return {
    stop() {
      globalThis.fetch = original
      if (problems.length > 0) throw new Error(`wire contract broken on ${problems.length} answer(s):\n${problems.join('\n')}`)
    },
  }
}
