import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { accessLogWriter, type AccessEntry, type Logger } from '../logging.js'
import { invalidRequest } from '../oauth2/errors.js'
import { frameworkErrors, installErrorHandling } from './errors.js'
import { AJV_OPTIONS } from './validation.js'
import { httpsServerFactory, type TlsMaterial } from './tls.js'

export interface AppOptions {
  name: 'public' | 'admin'
  logger: Logger
  exposeDebug: boolean
  /** Skip access-log lines for /health/* (serve.*.request_log.disable_for_health). */
  quietHealth: boolean
  bodyLimit?: number
  /** Peers whose X-Forwarded-For/-Proto are believed (src/http/proxy.ts); default: nobody. */
  trustProxy?: false | ((address: string, hop: number) => boolean)
  /** Serve HTTPS with this certificate and key (src/http/tls.ts). */
  https?: TlsMaterial
  /** Slow-client limits (serve.*.timeouts, serve.*.max_connections): milliseconds, 0 = none. */
  limits?: { header: number; read: number; idle: number; maxConnections: number }
  /** For a route this listener lacks: a hint naming the listener that has it (http/other-listener.ts). */
  notFoundHint?: (url: string) => string | undefined
  /** Installs metrics and tracing hooks (src/observability); runs before any route is added. */
  instrument?: (app: FastifyInstance, listener: 'public' | 'admin') => void
}

const REQUEST_ID = /^[\w.-]{1,64}$/

/** A Fastify instance with the habits shared by both listeners. */
export function createApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
    // Keep-alive sockets that sit idle must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    frameworkErrors: frameworkErrors({ exposeDebug: opts.exposeDebug }),
    // Request schemas are checked as Hydra decodes (validation.ts): no coercion, no removal, no defaults.
    ajv: { customOptions: AJV_OPTIONS },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: opts.trustProxy ?? false,
    ...(opts.https ? { serverFactory: httpsServerFactory(opts.https) } : {}),
    ...(opts.limits ? { requestTimeout: opts.limits.read, keepAliveTimeout: opts.limits.idle } : {}),
  })
  if (opts.limits) applyLimits(app, opts.limits)
  installErrorHandling(app, { exposeDebug: opts.exposeDebug, logger: opts.logger, ...(opts.notFoundHint ? { notFoundHint: opts.notFoundHint } : {}) })
  opts.instrument?.(app, opts.name)

  // Callback-style hooks: these run on every request, and an async hook costs a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-cache, no-store, must-revalidate')
    done(null, payload)
  })
  const write = accessLogWriter(opts.logger)
  app.addHook('onResponse', (request, reply, done) => {
    if (opts.logger.isLevelEnabled('info')) accessLog(opts, write, request, reply)
    done()
  })
  return app
}

/**
 * A body trickled a byte at a time, or headers that never end, would hold a connection for ever:
 * Node answers 408 and closes once the headers or the whole request take longer than allowed.
 * Node checks these deadlines only every connectionsCheckingInterval (30 s by default), so the
 * check runs at a fraction of the shortest one. Connections over maxConnections are closed at once.
 */
function applyLimits(app: FastifyInstance, limits: NonNullable<AppOptions['limits']>): void {
  const server = app.server
  // headersTimeout must not exceed requestTimeout (Node refuses the pair otherwise).
  server.headersTimeout = limits.read > 0 && (limits.header === 0 || limits.header > limits.read) ? limits.read : limits.header
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections
  const shortest = Math.min(...[limits.header, limits.read].filter((ms) => ms > 0))
  if (Number.isFinite(shortest)) {
    // Not a public property: the interval node:http reads when the server starts listening.
    ;(server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(100, Math.min(1000, Math.floor(shortest / 4)))
  }
}

/** One line per request; the query string is left out on purpose: it can carry codes, tokens and challenges. */
function accessLog(opts: AppOptions, write: (entry: AccessEntry) => void, request: FastifyRequest, reply: FastifyReply): void {
  const query = request.url.indexOf('?')
  const path = query < 0 ? request.url : request.url.slice(0, query)
  if (opts.quietHealth && path.startsWith('/health/')) return
  write({
    listener: opts.name,
    request_id: request.id,
    method: request.method,
    path,
    client_ip: request.ip,
    status: reply.statusCode,
    duration_ms: Math.round(reply.elapsedTime * 100) / 100,
  })
}

/** Admin bodies are JSON only; anything else is a 415. An empty body is no body. */
export function acceptJsonOnly(app: FastifyInstance): void {
  // Whatever its label, an empty body is no body (the official SDK labels its bodiless PUTs as
  // forms, and Hydra accepts them).
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-length'] === '0' && request.headers['transfer-encoding'] === undefined) {
      delete request.headers['content-type']
    }
  })
  app.removeAllContentTypeParsers()
  addJsonParser(app, ['application/json', 'application/json-patch+json', 'application/merge-patch+json'])
}

/** How deep a JSON body may nest: more than any metadata, context or key needs, far below the stack. */
export const MAX_JSON_DEPTH = 64

/** Whether `value` nests arrays and objects deeper than `limit` (walked without recursion). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number]
    if (v === null || typeof v !== 'object') continue
    if (depth >= limit) return true
    for (const child of Object.values(v)) stack.push([child, depth + 1])
  }
  return false
}

/**
 * Fastify's JSON parser (prototype poisoning refused) for `types`, where an empty body is no body
 * and a document nested deeper than MAX_JSON_DEPTH is refused: copying, validating or serialising
 * such a value later would exhaust the stack (a client stored with it would break every listing).
 */
export function addJsonParser(app: FastifyInstance, types: string[]): void {
  const json = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser(types, { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') return done(null, undefined)
    json(request, text, (err, value) => {
      if (err) return done(err)
      if (nestedDeeperThan(value, MAX_JSON_DEPTH)) return done(invalidRequest(`The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels.`))
      done(null, value)
    })
  })
}
