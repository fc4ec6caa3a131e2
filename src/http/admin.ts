import type { FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { acceptJsonOnly, createApp } from './app.js'
import { clientAdminRoutes } from './client-routes.js'
import { deviceAdminRoutes } from './device-routes.js'
import { flowAdminRoutes, sessionAdminRoutes } from './flow-routes.js'
import { healthRoutes, versionRoutes } from './health.js'
import { jwkAdminRoutes } from './jwk-routes.js'
import { logoutAdminRoutes } from './logout-admin-routes.js'
import { metricsRoutes } from './metrics-routes.js'
import { oauth2AdminRoutes } from './oauth2-routes.js'
import { openApiRoutes } from './openapi.js'
import { installEdge, listenerEdgeOptions } from './proxy.js'
import { otherListenerHint } from './other-listener.js'
import { registerRoutes, servedRoutes, type RouteGroup, type ServedRoute } from './route-table.js'
import { trustAdminRoutes } from './trust-routes.js'

export type AdminDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'clientService' | 'keys' | 'oauth2' | 'flows' | 'trust' | 'observability'>

/** The admin listener's route table. Admin API groups answer under /admin and, as in Hydra 1, without it. */
export function adminRouteTable(deps: AdminDeps): RouteGroup[] {
  let served: ServedRoute[] = []
  const groups: RouteGroup[] = [healthRoutes({ ping: () => deps.db.ping() }), versionRoutes]
  if (deps.observability) groups.push(metricsRoutes(deps.observability.metrics))
  groups.push(
    clientAdminRoutes(deps.clientService),
    jwkAdminRoutes(deps.keys),
    oauth2AdminRoutes(deps.oauth2),
    flowAdminRoutes(deps.flows.admin),
    sessionAdminRoutes(deps.flows.sessions),
  )
  if (deps.flows.logoutAdmin) groups.push(logoutAdminRoutes(deps.flows.logoutAdmin))
  if (deps.flows.device) groups.push(deviceAdminRoutes(deps.flows.device))
  groups.push(trustAdminRoutes(deps.trust), openApiRoutes('admin', deps.config.urls.self.admin, () => served))
  served = servedRoutes(groups)
  return groups
}

/** The admin listener (:4445). */
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
  installEdge(app, deps.config.serve.admin)
  acceptJsonOnly(app)
  await registerRoutes(app, adminRouteTable(deps))
  return app
}
