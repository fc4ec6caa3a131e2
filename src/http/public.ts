import type { FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { createApp } from './app.js'
import { discoveryRoute } from './discovery.js'
import { healthRoutes } from './health.js'
import { oauth2PublicRoutes } from './oauth2-routes.js'
import { jwksRoute } from '../jwk/public-routes.js'
import { authorizeRoutes } from './authorize-routes.js'
import { CookieSigner } from './cookies.js'
import { userinfoRoutes } from './userinfo-routes.js'
import { logoutRoutes } from './logout-routes.js'
import { devUiRoutes, type DevUiOptions } from '../dev-ui/public-routes.js'
import { registrationRoutes } from '../client/registration-routes.js'
import { devicePublicRoutes } from './device-routes.js'
import { installEdge, listenerEdgeOptions } from './proxy.js'
import { CLIENT_AWARE_CORS_PATHS, clientCorsOrigins, NO_CORS_PATHS } from './cors.js'
import { openApiRoute } from './openapi.js'
import { otherListenerHint } from './other-listener.js'

export type PublicDeps = Pick<Registry, 'config' | 'logger' | 'db' | 'keys' | 'oauth2' | 'flows' | 'observability'> &
  Partial<Pick<Registry, 'dynamicRegistration'>> &
  Partial<Pick<Registry, 'clients'>>

export interface PublicAppOptions {
  /** The --dev demo login & consent app (src/dev-ui/mount.ts decides); off when absent. */
  devUi?: DevUiOptions
}

/** The public listener (:4444): the OAuth 2.0 and OpenID Connect endpoints. */
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
  const routes = installEdge(app, deps.config.serve.public, {
    excluded: NO_CORS_PATHS,
    clientAware: CLIENT_AWARE_CORS_PATHS,
    ...(deps.clients ? { clientOrigins: clientCorsOrigins({ clients: deps.clients, tokens: deps.oauth2.tokens }) } : {}),
  })
  await app.register(healthRoutes({ ping: () => deps.db.ping() }))
  await app.register(jwksRoute(deps.keys))
  await app.register(discoveryRoute(deps.config, deps.keys))
  await app.register(oauth2PublicRoutes(deps.oauth2))
  await app.register(userinfoRoutes(deps.oauth2.userinfo))
  await app.register(
    authorizeRoutes({
      flow: deps.flows.authorize,
      signer: new CookieSigner(deps.config.secrets.cookie),
      cookies: deps.config.serve.cookies,
      ...(opts.devUi ? { replacedFallbacks: opts.devUi.pages } : {}),
    }),
  )
  if (deps.flows.logout) {
    await app.register(
      logoutRoutes({
        flow: deps.flows.logout,
        signer: new CookieSigner(deps.config.secrets.cookie),
        cookies: deps.config.serve.cookies,
        publicUrl: deps.config.urls.self.public,
        ...(opts.devUi ? { replacedFallbacks: opts.devUi.pages } : {}),
      }),
    )
  }
  if (deps.oauth2.deviceAuthorization && deps.flows.device) {
    await app.register(
      devicePublicRoutes({
        authorization: deps.oauth2.deviceAuthorization,
        flow: deps.flows.device,
        signer: new CookieSigner(deps.config.secrets.cookie),
        cookies: deps.config.serve.cookies,
        ...(opts.devUi ? { replacedFallbacks: opts.devUi.pages } : {}),
      }),
    )
  }
  if (opts.devUi) await app.register(devUiRoutes(opts.devUi))
  // Off by default: an open registration endpoint lets anyone create clients.
  if (deps.config.oidc.dynamic_client_registration.enabled && deps.dynamicRegistration) {
    await app.register(registrationRoutes(deps.dynamicRegistration))
  }
  await app.register(openApiRoute('public', deps.config.urls.self.public, routes))
  return app
}
