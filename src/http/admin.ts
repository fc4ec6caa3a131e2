import type { FastifyInstance } from 'fastify'
import { clientAdminRoutes } from '../client/admin-routes.js'
import { jwkAdminRoutes } from '../jwk/admin-routes.js'
import { flowAdminRoutes, sessionAdminRoutes } from '../flow/admin-routes.js'
import { logoutAdminRoutes } from '../flow/logout-admin-routes.js'
import { trustAdminRoutes } from '../trust/admin-routes.js'
import type { Registry } from '../registry.js'
import { acceptJsonOnly, createApp } from './app.js'
import { healthRoutes, versionRoute } from './health.js'
import { oauth2AdminRoutes } from './oauth2-routes.js'
import { deviceAdminRoutes } from './device-routes.js'
import { metricsRoutes } from './metrics-routes.js'
import { installEdge, listenerEdgeOptions } from './proxy.js'
import { openApiRoute } from './openapi.js'
import { otherListenerHint } from './other-listener.js'

export type AdminDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'clientService' | 'keys' | 'oauth2' | 'flows' | 'trust' | 'observability'>

/** The admin listener (:4445). Every admin route answers under /admin and, as Hydra 1 did, without it. */
export async function createAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const app = createApp({
    name: 'admin',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.admin.request_log.disable_for_health,
    notFoundHint: otherListenerHint('admin', deps.config.urls.self.public),
    ...(deps.observability ? { instrument: deps.observability.instrument } : {}),
    ...listenerEdgeOptions('admin', deps.config.serve.admin),
  })
  const routes = installEdge(app, deps.config.serve.admin)
  acceptJsonOnly(app)
  await app.register(healthRoutes({ ping: () => deps.db.ping() }))
  await app.register(versionRoute)
  if (deps.observability) await app.register(metricsRoutes(deps.observability.metrics))
  const adminRoutes = async (scope: FastifyInstance) => {
    await scope.register(clientAdminRoutes(deps.clientService))
    await scope.register(jwkAdminRoutes(deps.keys))
    await scope.register(oauth2AdminRoutes(deps.oauth2))
    await scope.register(flowAdminRoutes(deps.flows.admin))
    await scope.register(sessionAdminRoutes(deps.flows.sessions))
    if (deps.flows.logoutAdmin) await scope.register(logoutAdminRoutes(deps.flows.logoutAdmin))
    if (deps.flows.device) await scope.register(deviceAdminRoutes(deps.flows.device))
    await scope.register(trustAdminRoutes(deps.trust))
  }
  await app.register(adminRoutes, { prefix: '/admin' })
  await app.register(adminRoutes)
  await app.register(openApiRoute('admin', deps.config.urls.self.admin, routes))
  return app
}
