import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from '../logging.js'
import { installErrorHandling } from './errors.js'
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
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: opts.trustProxy ?? false,
    ...(opts.https ? { serverFactory: httpsServerFactory(opts.https) } : {}),
  })
  installErrorHandling(app, { exposeDebug: opts.exposeDebug, logger: opts.logger })
  opts.instrument?.(app, opts.name)

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-cache, no-store, must-revalidate')
    return payload
  })
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    if (opts.quietHealth && path.startsWith('/health/')) return
    // The query string is left out on purpose: it can carry codes, tokens and challenges.
    opts.logger.info(
      {
        listener: opts.name,
        request_id: request.id,
        method: request.method,
        path,
        client_ip: request.ip,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    )
  })
  return app
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
  const json = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser(
    ['application/json', 'application/json-patch+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8')
      if (text.trim() === '') return done(null, undefined)
      json(request, text, done)
    },
  )
}
