// The plain HTTP facts of a request (method, absolute URL, headers) for domain code that checks
// proofs bound to them (DPoP), without handing it Fastify.
import type { FastifyRequest } from 'fastify'
import type { HttpRequestFacts } from '../oauth2/token.js'

export function httpFactsOf(request: FastifyRequest): HttpRequestFacts {
  // request.protocol honours X-Forwarded-Proto only from trusted proxies (http/proxy.ts).
  return { method: request.method.toUpperCase(), url: `${request.protocol}://${request.host}${request.url}`, headers: request.headers }
}
