// What the admin console's overview shows about this server that the Hydra admin API does not
// tell: database kind and migration state, listeners, key sets, live token counts. Served
// read-only at GET /admin/orthrus/status (src/http/console-routes.ts). Each part is read on its
// own, so a database that is down still yields a report that says so.
import type { Config } from '../config/types.js'
import type { KeyManager } from '../jwk/manager.js'
import type { Db } from '../persistence/db.js'
import { migrationStatus } from '../persistence/migrate.js'
import { SqlStatusStore } from '../persistence/sql/status-store.js'
import { VERSION } from '../version.js'

export interface ListenerStatus {
  name: 'public' | 'admin'
  /** Where this process listens; absent when the listener runs in another process. */
  listening?: string
  /** The URL clients are told (urls.self.*). */
  url: string
  tls: boolean
  cors: boolean
}

export interface StatusReport {
  version: string
  issuer: string
  dev: boolean
  access_token_strategy: string
  listeners: ListenerStatus[]
  database: {
    dialect: string
    reachable: boolean
    migrations: { applied: number; pending: string[]; latest?: string } | null
  }
  key_sets: Array<{ set: string; keys: number }> | null
  live_tokens: { access_tokens: number; refresh_tokens: number } | null
  /** What could not be read, part by part (reasons stay in the server log). */
  unavailable: string[]
}

export interface StatusDeps {
  config: Readonly<Pick<Config, 'dev' | 'serve' | 'urls' | 'strategies'>>
  db: Db
  nid: string
  keys: Pick<KeyManager, 'sets'>
  /** The listeners this process started, once they listen. */
  listening?: () => { public?: string; admin?: string }
  now?: () => Date
  onError?: (part: string, err: unknown) => void
}

export class ServerStatus {
  private readonly tokens: SqlStatusStore

  constructor(private readonly deps: StatusDeps) {
    this.tokens = new SqlStatusStore(deps.db.kysely, deps.nid)
  }

  async report(): Promise<StatusReport> {
    const { config, db } = this.deps
    const unavailable: string[] = []
    const part = async <T>(name: string, read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read()
      } catch (err) {
        unavailable.push(name)
        this.deps.onError?.(name, err)
        return null
      }
    }
    const reachable = (await part('database', () => db.ping())) !== null
    const [migrations, keySets, live] = await Promise.all([
      part('migrations', async () => {
        const all = await migrationStatus(db)
        const applied = all.filter((m) => m.appliedAt !== undefined)
        return { applied: applied.length, pending: all.filter((m) => m.appliedAt === undefined).map((m) => m.name), ...(applied.length > 0 ? { latest: applied.at(-1)?.name } : {}) }
      }),
      part('key_sets', () => this.deps.keys.sets()),
      part('live_tokens', async () => {
        const n = await this.tokens.liveTokens(this.deps.now?.() ?? new Date())
        return { access_tokens: n.accessTokens, refresh_tokens: n.refreshTokens }
      }),
    ])
    const listening = this.deps.listening?.() ?? {}
    const listener = (name: 'public' | 'admin'): ListenerStatus => {
      const l = config.serve[name]
      const here = listening[name]
      return { name, ...(here !== undefined ? { listening: here } : {}), url: config.urls.self[name], tls: l.tls.enabled === true, cors: l.cors.enabled }
    }
    return {
      version: VERSION,
      issuer: config.urls.self.issuer,
      dev: config.dev,
      access_token_strategy: config.strategies.access_token,
      listeners: [listener('public'), listener('admin')],
      database: { dialect: db.dialect, reachable, migrations },
      key_sets: keySets,
      live_tokens: live,
      unavailable,
    }
  }
}
