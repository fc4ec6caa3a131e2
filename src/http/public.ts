import type { FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { createApp } from './app.js'
import { healthRoutes } from './health.js'

export type PublicDeps = Pick<Registry, 'config' | 'logger' | 'db'>

/** The public listener (:4444): the OAuth 2.0 and OpenID Connect endpoints. */
export async function createPublicApp(deps: PublicDeps): Promise<FastifyInstance> {
  const app = createApp({
    name: 'public',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.public.request_log.disable_for_health,
  })
  await app.register(healthRoutes({ ping: () => deps.db.ping() }))
  return app
}
