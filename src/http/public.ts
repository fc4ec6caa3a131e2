import type { FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import type { DevUiOptions } from '../dev-ui/mount.js'
import { createApp } from './app.js'
import { authorizeRoutes } from './authorize-routes.js'
import { CookieSigner } from './cookies.js'
import { clientCorsOrigins } from './cors.js'
import { devicePublicRoutes } from './device-routes.js'
import { devUiRoutes } from './dev-ui-routes.js'
import { discoveryRoutes } from './discovery.js'
import { healthRoutes } from './health.js'
import { jwksRoutes } from './jwk-routes.js'
import { logoutRoutes } from './logout-routes.js'
import { oauth2PublicRoutes } from './oauth2-routes.js'
import { openApiRoutes } from './openapi.js'
import { installEdge, listenerEdgeOptions } from './proxy.js'
import { otherListenerHint } from './other-listener.js'
import { parRoutes } from './par-routes.js'
import { credentialsRoutes } from './credentials-routes.js'
import { registrationRoutes } from './registration-routes.js'
import { discoveryEndpoints, pathsWhere, registerRoutes, servedRoutes, type RouteGroup, type ServedRoute } from './route-table.js'
import { userinfoRoutes } from './userinfo-routes.js'

export type PublicDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'keys' | 'oauth2' | 'flows' | 'observability'> &
  Partial<Pick<Registry, 'dynamicRegistration' | 'now'>> &
  Partial<Pick<Registry, 'clients'>>

export interface PublicAppOptions {
  /** The --dev demo login & consent app (src/dev-ui/mount.ts decides); off when absent. */
  devUi?: DevUiOptions
}

/** The public listener's route table: the OAuth 2.0 and OpenID Connect endpoints. */
export function publicRouteTable(deps: PublicDeps, opts: PublicAppOptions = {}): RouteGroup[] {
  const { config } = deps
  const signer = new CookieSigner(config.secrets.cookie)
  const cookies = config.serve.cookies
  const clock = deps.now ? { now: deps.now } : {}
  const replaced = opts.devUi ? { replacedFallbacks: opts.devUi.pages } : {}
  let served: ServedRoute[] = []
  const groups: RouteGroup[] = [
    healthRoutes({ ping: () => deps.db.ping() }),
    jwksRoutes(deps.keys),
    discoveryRoutes(config, deps.keys, () => discoveryEndpoints(served)),
    oauth2PublicRoutes(deps.oauth2),
    userinfoRoutes(deps.oauth2.userinfo),
    authorizeRoutes({ flow: deps.flows.authorize, signer, cookies, ...clock, ...replaced }),
  ]
  if (deps.flows.logout) {
    groups.push(logoutRoutes({ flow: deps.flows.logout, signer, cookies, publicUrl: config.urls.self.public, ...clock, ...replaced }))
  }
  if (deps.oauth2.deviceAuthorization && deps.flows.device) {
    groups.push(devicePublicRoutes({ authorization: deps.oauth2.deviceAuthorization, flow: deps.flows.device, signer, cookies, ...clock, ...replaced }))
  }
  if (deps.flows.pushed) groups.push(parRoutes(deps.flows.pushed))
  if (deps.oauth2.credentials) groups.push(credentialsRoutes(deps.oauth2.credentials))
  if (opts.devUi) groups.push(devUiRoutes(opts.devUi))
  // Off by default: an open registration endpoint lets anyone create clients.
  if (config.oidc.dynamic_client_registration.enabled && deps.dynamicRegistration) groups.push(registrationRoutes(deps.dynamicRegistration))
  groups.push(openApiRoutes('public', config.urls.self.public, () => served))
  served = servedRoutes(groups)
  return groups
}

/** The public listener (:4444). */
export async function createPublicApp(deps: PublicDeps, opts: PublicAppOptions = {}): Promise<FastifyInstance> {
  const app = createApp({
    name: 'public',
    logger: deps.logger,
    exposeDebug: deps.config.oauth2.expose_internal_errors,
    quietHealth: deps.config.serve.public.request_log.disable_for_health,
    notFoundHint: otherListenerHint('public', deps.config.urls.self.public),
    ...(deps.observability ? { instrument: deps.observability.instrument } : {}),
    ...listenerEdgeOptions('public', deps.config.serve.public),
  })
  const groups = publicRouteTable(deps, opts)
  const served = servedRoutes(groups)
  installEdge(app, deps.config.serve.public, {
    excluded: pathsWhere(served, (r) => r.cors === 'never'),
    clientAware: pathsWhere(served, (r) => r.cors === 'client'),
    ...(deps.clients ? { clientOrigins: clientCorsOrigins({ clients: deps.clients, tokens: deps.oauth2.tokens }) } : {}),
  })
  await registerRoutes(app, groups)
  return app
}
