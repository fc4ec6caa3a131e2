// Orthrus as the benchmark runs it: the built binary with its shipped defaults (no --dev, no
// log settings: the access log on at info, text format), migrated first as in production, on a
// throw-away database, with one client_secret_basic client made through the admin API.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Control } from './control.js'
import { cleanEnv, freePort, runToEnd, startChild, waitForOutput, waitReady } from './process.js'
import { PROJECT_ROOT, basic, idleRss, introspectRequest, tokenRequest, type Target } from './targets.js'

export const ORTHRUS_MAIN = join(PROJECT_ROOT, 'dist', 'main.js')
const INSTRUMENT = join(PROJECT_ROOT, 'dist-bench', 'instrument.js')

export interface Database {
  /** As the report names it: SQLite, PostgreSQL, MariaDB. */
  label: string
  dsn: string
  /** Command names of the server's processes on this machine (none for SQLite). */
  serverProcesses?: readonly string[]
  drop(): Promise<void>
}

const uniqueName = (): string => `orthrus_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`

export function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'orthrus-bench-'))
  return {
    label: 'SQLite',
    dsn: `sqlite://${join(dir, 'bench.sqlite')}?_fk=true`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A throw-away schema on the given server, selected through the DSN's search_path. */
export async function postgresDatabase(base: string): Promise<Database> {
  const { default: pg } = await import('pg')
  const run = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: base })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  const schema = uniqueName()
  await run(`create schema "${schema}"`)
  return {
    label: 'PostgreSQL',
    dsn: `${base}${base.includes('?') ? '&' : '?'}search_path=${encodeURIComponent(schema)}`,
    serverProcesses: ['postgres'],
    drop: () => run(`drop schema if exists "${schema}" cascade`),
  }
}

/** A throw-away database on the given MySQL/MariaDB server (a `mysql://user:pass@host:port/db` DSN). */
export async function mysqlDatabase(base: string): Promise<Database> {
  const mysql = await import('mysql2/promise')
  const run = async (statement: string): Promise<void> => {
    const connection = await mysql.createConnection(base)
    try {
      await connection.query(statement)
    } finally {
      await connection.end()
    }
  }
  const name = uniqueName()
  await run(`create database \`${name}\``)
  return {
    label: 'MariaDB',
    dsn: base.replace(/\/([^/?]*)(\?|$)/, `/${name}$2`),
    serverProcesses: ['mariadbd', 'mysqld'],
    drop: () => run(`drop database if exists \`${name}\``),
  }
}

export interface OrthrusOptions {
  db: Database
  /** serve.workers; 1 is the single process. */
  workers: number
  key: string
}

export async function startOrthrus({ db, workers, key }: OrthrusOptions): Promise<Target> {
  const control = new Control()
  const logs = mkdtempSync(join(tmpdir(), 'orthrus-bench-logs-'))
  const cleanup = (): void => {
    control.close()
    rmSync(logs, { recursive: true, force: true })
  }
  try {
    await runToEnd(ORTHRUS_MAIN, ['migrate', 'sql', 'up', '-e', '--yes'], cleanEnv({ DSN: db.dsn }))
  } catch (e) {
    cleanup()
    throw e
  }
  const [publicPort, adminPort] = [await freePort(), await freePort()]
  const publicUrl = `http://127.0.0.1:${publicPort}`
  const adminUrl = `http://127.0.0.1:${adminPort}`
  const env = cleanEnv({
    DSN: db.dsn,
    SECRETS_SYSTEM: randomBytes(24).toString('base64url'),
    URLS_SELF_ISSUER: 'https://orthrus.bench.test/',
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: String(publicPort),
    SERVE_ADMIN_PORT: String(adminPort),
    ...(workers > 1 ? { SERVE_WORKERS: String(workers) } : {}),
    ...control.env,
  })
  const child = startChild(ORTHRUS_MAIN, ['serve', 'all'], env, {
    nodeArgs: ['--import', pathToFileURL(INSTRUMENT).href],
    logFile: join(logs, 'orthrus.log'),
  })
  const stop = async (): Promise<void> => {
    await child.stop()
    cleanup()
  }
  try {
    await waitReady(child, `${publicUrl}/health/ready`, 60_000)
    await waitReady(child, `${adminUrl}/health/ready`, 60_000)
    if (workers > 1) await waitForOutput(child, 'all workers ready', 120_000)
    const res = await fetch(`${adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'bench', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }),
    })
    const client = (await res.json()) as { client_id?: string; client_secret?: string }
    if (res.status !== 201 || !client.client_id || !client.client_secret) {
      throw new Error(`creating the benchmark client answered ${res.status}`)
    }
    // After start-up and one admin request; nothing has run the hot paths yet.
    const idle = await idleRss(child.pid)
    return {
      key,
      name: `Orthrus (${db.label}${workers > 1 ? `, ${workers} workers` : ''})`,
      pid: child.pid,
      token: tokenRequest(`${publicUrl}/oauth2/token`, basic(client.client_id, client.client_secret)),
      introspect: (token) => introspectRequest(`${adminUrl}/admin/oauth2/introspect`, token),
      control,
      countsRoundTrips: db.serverProcesses !== undefined,
      ...(db.serverProcesses ? { databaseServer: db.serverProcesses } : {}),
      adminUrl,
      ...(idle !== undefined ? { idleRssMB: idle } : {}),
      stop,
    }
  } catch (e) {
    await stop()
    throw e
  }
}
