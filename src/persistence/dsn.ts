// DSN forms Hydra accepts: `memory`, `sqlite://...`, `postgres://...`, `mysql://...`.

export type Dialect = 'sqlite' | 'postgres' | 'mysql'

export interface SqliteTarget {
  dialect: 'sqlite'
  /** A file path, or ':memory:'. */
  filename: string
}

export interface PostgresTarget {
  dialect: 'postgres'
  connectionString: string
  searchPath?: string
  maxConnections: number
}

export interface MysqlTarget {
  dialect: 'mysql'
  host: string
  port: number
  user: string
  password: string
  database: string
  maxConnections: number
}

export type DsnTarget = SqliteTarget | PostgresTarget | MysqlTarget

export class DsnError extends Error {
  override name = 'DsnError'
}

// Parameters Hydra's DSNs carry for its Go driver, which the Node drivers must not see.
const POOL_PARAMS = ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_conn_idle_time', 'parseTime', 'charset', 'collation', 'loc']

function maxConns(params: URLSearchParams): number {
  const raw = params.get('max_conns')
  const n = raw === null ? 10 : Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new DsnError(`max_conns = "${raw}" must be an integer between 1 and 1000`)
  return n
}

/** Hides the password of a DSN so it can appear in messages and logs. */
export function redactDsn(dsn: string): string {
  return dsn.replace(/^([a-z0-9+]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}

export function parseDsn(dsn: string): DsnTarget {
  if (dsn === 'memory') return { dialect: 'sqlite', filename: ':memory:' }
  const scheme = /^([a-z0-9+]+):\/\//i.exec(dsn)?.[1]?.toLowerCase()
  switch (scheme) {
    case 'sqlite':
    case 'sqlite3': {
      const rest = dsn.slice(scheme.length + 3)
      const path = decodeURIComponent(rest.split('?')[0] ?? '')
      if (path === '' ) throw new DsnError(`DSN "${redactDsn(dsn)}" names no SQLite file`)
      if (path.includes(':memory:') || /(^|[?&])mode=memory(&|$)/.test(rest)) return { dialect: 'sqlite', filename: ':memory:' }
      return { dialect: 'sqlite', filename: path.replace(/^file:/, '') }
    }
    case 'postgres':
    case 'postgresql':
    case 'cockroach':
    case 'cockroachdb': {
      const url = new URL(dsn.replace(/^[a-z0-9+]+:\/\//i, 'postgres://'))
      const max = maxConns(url.searchParams)
      const searchPath = url.searchParams.get('search_path') ?? undefined
      for (const p of [...POOL_PARAMS, 'search_path']) url.searchParams.delete(p)
      // Hydra's examples use sslmode=disable, which node-postgres does not understand.
      if (url.searchParams.get('sslmode') === 'disable') url.searchParams.delete('sslmode')
      return { dialect: 'postgres', connectionString: url.toString(), searchPath, maxConnections: max }
    }
    case 'mysql': {
      // Go's driver form: user:pass@tcp(host:port)/db?params
      const rest = dsn.slice('mysql://'.length)
      const go = /^(?:([^:@]*)(?::([^@]*))?@)?tcp\(([^)]+)\)\/([^?]*)(?:\?(.*))?$/.exec(rest)
      let user: string, password: string, hostPort: string, database: string, query: string
      if (go) {
        user = decodeURIComponent(go[1] ?? 'root')
        password = decodeURIComponent(go[2] ?? '')
        hostPort = go[3] ?? ''
        database = go[4] ?? ''
        query = go[5] ?? ''
      } else {
        const url = new URL(dsn)
        user = decodeURIComponent(url.username || 'root')
        password = decodeURIComponent(url.password)
        hostPort = url.host
        database = decodeURIComponent(url.pathname.replace(/^\//, ''))
        query = url.search.replace(/^\?/, '')
      }
      const [host, port] = hostPort.startsWith('[') ? [hostPort.slice(1, hostPort.indexOf(']')), hostPort.split(']:')[1]] : hostPort.split(':')
      if (!database) throw new DsnError(`DSN "${redactDsn(dsn)}" names no database`)
      return {
        dialect: 'mysql',
        host: host || '127.0.0.1',
        port: port ? Number(port) : 3306,
        user,
        password,
        database,
        maxConnections: maxConns(new URLSearchParams(query)),
      }
    }
    default:
      throw new DsnError(`DSN "${redactDsn(dsn)}" is not supported: use memory, sqlite://..., postgres://... or mysql://...`)
  }
}
