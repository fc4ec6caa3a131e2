import type { FastifyInstance } from 'fastify'
import { clientAdminRoutes } from '../client/admin-routes.js'
import { jwkAdminRoutes } from '../jwk/admin-routes.js'
import { flowAdminRoutes, sessionAdminRoutes } from '../flow/admin-routes.js'
import { logoutAdminRoutes } from '../flow/logout-admin-routes.js'
import type { Registry } from '../registry.js'
import { acceptJsonOnly, createApp } from './app.js'
import { healthRoutes, versionRoute } from './health.js'
import { oauth2AdminRoutes } from './oauth2-routes.js'

export type AdminDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'clientService' | 'keys' | 'oauth2' | 'flows'>

/** The admin listener (:4445). Every admin route answers under /admin and, as Hydra 1 did, without it. */
export async function createAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const app = createApp({
    name: 'admin',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.admin.request_log.disable_for_health,
  })
  acceptJsonOnly(app)
  await app.register(healthRoutes({ ping: () => deps.db.ping() }))
  await app.register(versionRoute)
  const adminRoutes = async (scope: FastifyInstance) => {
    await scope.register(clientAdminRoutes(deps.clientService))
    await scope.register(jwkAdminRoutes(deps.keys))
    await scope.register(oauth2AdminRoutes(deps.oauth2))
    await scope.register(flowAdminRoutes(deps.flows.admin))
    await scope.register(sessionAdminRoutes(deps.flows.sessions))
    if (deps.flows.logoutAdmin) await scope.register(logoutAdminRoutes(deps.flows.logoutAdmin))
  }
  await app.register(adminRoutes, { prefix: '/admin' })
  await app.register(adminRoutes)
  return app
}
