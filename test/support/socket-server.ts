// Orthrus on real 127.0.0.1 sockets for the SDK and openid-client tests: a throw-away database of
// the given kind, a registry and startServer. Their "browser" is fetch-browser.ts.
import { createServer, type AddressInfo } from 'node:net'
import { Configuration, OAuth2Api } from '@ory/hydra-client'
import type { Config } from '../../src/config/types.js'
import { createLogger } from '../../src/logging.js'
import { createRegistry, type Registry } from '../../src/registry.js'
import { startServer, type RunningServer, type ServeMode } from '../../src/server.js'
import { testConfig } from './app.js'
import type { TestClock } from './clock.js'
import { checkFetchedAnswers } from './contract.js'
import type { TestDatabase } from './databases.js'

/** A port the OS just handed out on 127.0.0.1 and released again. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

export interface SocketServer {
  config: Readonly<Config>
  registry: Registry
  server: RunningServer
  publicUrl: string
  adminUrl: string
  /** http://127.0.0.1:<public port>, set only with `realIssuer`. */
  issuer: string
  /** The Hydra SDK's OAuth2Api on the admin URL. */
  api: OAuth2Api
  /** Stops the server (and its registry) and drops the database. */
  close(): Promise<void>
}

/**
 * A migrated database of kind `t` and Orthrus listening on OS-chosen ports. With `realIssuer` the
 * public port is chosen up front and the issuer (urls.self.issuer) names it, for clients that
 * compare the discovered issuer or follow redirects to urls.self.public.
 */
export async function startSocketServer(
  t: TestDatabase,
  env: Record<string, string> = {},
  opts: { mode?: ServeMode; realIssuer?: boolean; clock?: TestClock } = {},
): Promise<SocketServer> {
  const { dsn, drop } = await t.create()
  let issuer = ''
  if (opts.realIssuer) {
    const port = await freePort()
    issuer = `http://127.0.0.1:${port}`
    env = { ...env, URLS_SELF_ISSUER: issuer, SERVE_PUBLIC_PORT: String(port) }
  }
  const config = testConfig(dsn, env)
  const registry = await createRegistry(config, { logger: createLogger(config.log), migrate: true, ...(opts.clock ? { now: opts.clock.now } : {}) })
  const server = await startServer(registry, opts.mode ?? 'all')
  const adminUrl = server.urls.admin ?? ''
  // Every JSON answer fetched from it is checked against the wire contract; close() reports.
  const contract = checkFetchedAnswers([
    ...(server.apps.public ? [{ base: server.urls.public ?? '', app: server.apps.public }] : []),
    ...(server.apps.admin ? [{ base: adminUrl, app: server.apps.admin }] : []),
  ])
  return {
    config,
    registry,
    server,
    publicUrl: server.urls.public ?? '',
    adminUrl,
    issuer,
    api: new OAuth2Api(new Configuration({ basePath: adminUrl })),
    async close() {
      await server.close()
      await drop()
      contract.stop()
    },
  }
}
