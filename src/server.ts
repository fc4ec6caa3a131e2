import { Server as TlsServer } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { createAdminApp } from './http/admin.js'
import { createPublicApp } from './http/public.js'
import type { Registry } from './registry.js'
import { devUiOptions } from './dev-ui/mount.js'
import { plainHttpWarning } from './http/proxy.js'

export type ServeMode = 'all' | 'public' | 'admin'

export interface RunningServer {
  /** Base URLs of the listeners that were started, e.g. { public: 'http://127.0.0.1:4444' }. */
  urls: { public?: string; admin?: string }
  /** What each listener is bound to, as the socket reports it: `0.0.0.0:4444`, `[::1]:4445`, a socket path. */
  addresses: { public?: string; admin?: string }
  /** The listeners' Fastify instances (their route tables are what answers on `urls`). */
  apps: { public?: FastifyInstance; admin?: FastifyInstance }
  /** Stops accepting, lets in-flight requests finish, then closes the database pool. */
  close(): Promise<void>
}

interface Bound {
  /** A URL that reaches the listener from this machine (a wildcard address shown as 127.0.0.1). */
  url: string
  /** The address the socket is bound to, as host:port. */
  address: string
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<Bound> {
  await app.listen({ host: host === '' ? '0.0.0.0' : host, port })
  const addr = app.server.address()
  if (addr === null || typeof addr === 'string') return { url: String(addr), address: String(addr) }
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const scheme = (app.server as unknown) instanceof TlsServer ? 'https' : 'http'
  const wildcard = addr.address === '0.0.0.0' || addr.address === '::'
  return { url: `${scheme}://${wildcard ? '127.0.0.1' : shown}:${addr.port}`, address: `${shown}:${addr.port}` }
}

export async function startServer(registry: Registry, mode: ServeMode): Promise<RunningServer> {
  const apps: FastifyInstance[] = []
  const urls: RunningServer['urls'] = {}
  const addresses: RunningServer['addresses'] = {}
  const byListener: RunningServer['apps'] = {}
  const { serve } = registry.config
  try {
    if (mode === 'all' || mode === 'public') {
      // The demo app calls the admin API over HTTP like any external app: in-process admin
      // listener once it listens (serve all), else the configured urls.self.admin (serve public).
      const devUi = devUiOptions(registry.config, () => (mode === 'all' ? urls.admin : registry.config.urls.self.admin))
      if (devUi) {
        registry.logger.warn(
          { pages: [...devUi.pages] },
          'serving the built-in DEMO login & consent app at the fallback pages (--dev, urls.login/urls.consent unset); any username, password "demo"',
        )
      }
      const app = await createPublicApp(registry, devUi ? { devUi } : {})
      apps.push(app)
      byListener.public = app
      const bound = await listen(app, serve.public.host, serve.public.port)
      urls.public = bound.url
      addresses.public = bound.address
      const plain = plainHttpWarning('public', registry.config.dev, serve.public.tls)
      if (plain) registry.logger.warn(plain)
    }
    if (mode === 'all' || mode === 'admin') {
      const app = await createAdminApp(registry, { listening: () => urls })
      apps.push(app)
      byListener.admin = app
      const bound = await listen(app, serve.admin.host, serve.admin.port)
      urls.admin = bound.url
      addresses.admin = bound.address
    }
  } catch (e) {
    await Promise.allSettled(apps.map((a) => a.close()))
    throw e
  }
  let closing: Promise<void> | undefined
  return {
    urls,
    addresses,
    apps: byListener,
    close() {
      closing ??= (async () => {
        // Node closes the idle keep-alive connections once, when the close begins; one busy then
        // turns idle after its response and would hold the shutdown open until the client or the
        // keep-alive timeout (72 s) ends it. Keep closing them while the requests drain.
        const sweep = setInterval(() => {
          for (const a of apps) a.server.closeIdleConnections()
        }, 50)
        await Promise.allSettled(apps.map((a) => a.close())).finally(() => clearInterval(sweep))
        await registry.close()
        await registry.observability?.shutdown()
      })()
      return closing
    },
  }
}
