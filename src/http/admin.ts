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
import { consoleRoutes } from './console-routes.js'
import { ServerStatus } from '../observability/status.js'

export type AdminDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'nid' | 'clientService' | 'keys' | 'oauth2' | 'flows' | 'trust' | 'observability'>

export interface AdminAppOptions {
  /** The listeners this process started, once they listen (shown by the console's overview). */
  listening?: () => { public?: string; admin?: string }
  /** Where the built console is (default: dist/console); tests point elsewhere. */
  consoleDir?: string
}

/** The admin listener (:4445). Every admin route answers under /admin and, as Hydra 1 did, without it. */
export async function createAdminApp(deps: AdminDeps, opts: AdminAppOptions = {}): Promise<FastifyInstance> {
  const app = createApp({
    name: 'admin',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.admin.request_log.disable_for_health,
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
  if (deps.config.serve.admin.console.enabled) {
    const status = new ServerStatus({
      config: deps.config,
      db: deps.db,
      nid: deps.nid,
      keys: deps.keys,
      ...(opts.listening ? { listening: opts.listening } : {}),
      onError: (part, err) => deps.logger.warn({ part, err: err instanceof Error ? err.message : String(err) }, 'console status: a part could not be read'),
    })
    await app.register(
      consoleRoutes({
        status,
        publicUrl: deps.config.urls.self.public,
        ...(opts.consoleDir !== undefined ? { dir: opts.consoleDir } : {}),
        warn: (message) => deps.logger.warn(message),
      }),
    )
  }
  await app.register(openApiRoute('admin', deps.config.urls.self.admin, routes))
  return app
}
