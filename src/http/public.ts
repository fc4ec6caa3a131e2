import type { FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { createApp } from './app.js'
import { discoveryRoute } from './discovery.js'
import { healthRoutes } from './health.js'
import { oauth2PublicRoutes } from './oauth2-routes.js'
import { jwksRoute } from '../jwk/public-routes.js'
import { authorizeRoutes } from './authorize-routes.js'
import { CookieSigner } from './cookies.js'

export type PublicDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'keys' | 'oauth2' | 'flows'>

/** The public listener (:4444): the OAuth 2.0 and OpenID Connect endpoints. */
export async function createPublicApp(deps: PublicDeps): Promise<FastifyInstance> {
  const app = createApp({
    name: 'public',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.public.request_log.disable_for_health,
  })
  await app.register(healthRoutes({ ping: () => deps.db.ping() }))
  await app.register(jwksRoute(deps.keys))
  await app.register(discoveryRoute(deps.config))
  await app.register(oauth2PublicRoutes(deps.oauth2))
  await app.register(
    authorizeRoutes({
      flow: deps.flows.authorize,
      signer: new CookieSigner(deps.config.secrets.cookie),
      cookies: deps.config.serve.cookies,
    }),
  )
  return app
}
