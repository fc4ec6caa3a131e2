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
import { consoleRoutes } from './console-routes.js'
import { ServerStatus } from '../observability/status.js'

export type AdminDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'nid' | 'clientService' | 'keys' | 'oauth2' | 'flows' | 'trust' | 'observability'> &
  Partial<Pick<Registry, 'now'>>

export interface AdminAppOptions {
  /** The listeners this process started, once they listen (shown by the console's overview). */
  listening?: () => { public?: string; admin?: string }
  /** Where the built console is (default: dist/console); tests point elsewhere. */
  consoleDir?: string
}

/** The admin listener's route table. Admin API groups answer under /admin and, as in Hydra 1, without it. */
export function adminRouteTable(deps: AdminDeps, opts: AdminAppOptions = {}): RouteGroup[] {
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
  groups.push(trustAdminRoutes(deps.trust))
  if (deps.config.serve.admin.console.enabled) groups.push(adminConsoleRoutes(deps, opts))
  groups.push(openApiRoutes('admin', deps.config.urls.self.admin, () => served))
  served = servedRoutes(groups)
  return groups
}

/** The admin listener (:4445). */
export async function createAdminApp(deps: AdminDeps, opts: AdminAppOptions = {}): Promise<FastifyInstance> {
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
  await registerRoutes(app, adminRouteTable(deps, opts))
  return app
}

/** The admin console (serve.admin.console.enabled): its files, status report and Try-it relay. */
function adminConsoleRoutes(deps: AdminDeps, opts: AdminAppOptions): RouteGroup {
  const status = new ServerStatus({
    config: deps.config,
    db: deps.db,
    nid: deps.nid,
    keys: deps.keys,
    ...(opts.listening ? { listening: opts.listening } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    onError: (part, err) => deps.logger.warn({ part, err: err instanceof Error ? err.message : String(err) }, 'console status: a part could not be read'),
  })
  return consoleRoutes({
    status,
    publicUrl: deps.config.urls.self.public,
    ...(opts.consoleDir !== undefined ? { dir: opts.consoleDir } : {}),
    warn: (message) => deps.logger.warn(message),
  })
}
