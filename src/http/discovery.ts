import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/types.js'
import { discoveryDocument } from '../oidc/discovery.js'

/** GET /.well-known/openid-configuration: the document never changes while running, so it is serialised once. */
export function discoveryRoute(config: Readonly<Config>) {
  const body = JSON.stringify(discoveryDocument(config))
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/.well-known/openid-configuration', async (_request, reply) =>
      reply.header('content-type', 'application/json; charset=utf-8').send(body),
    )
  }
}
