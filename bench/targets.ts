// The servers the benchmark drives: Orthrus itself (per database), oidc-provider and the
// bare-Fastify ceiling, each in its own child process on 127.0.0.1.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { announcement, cleanEnv, freePort, startChild, waitReady } from './process.js'

const HERE = dirname(fileURLToPath(import.meta.url))
export const ORTHRUS_MAIN = join(HERE, '..', 'dist', 'main.js')

/** One POST the load generator repeats. */
export interface Request {
  url: string
  headers: Record<string, string>
  body: string
}

export interface Target {
  name: string
  pid: number
  token: Request
  /** The introspection request for a token this target issued. */
  introspect(accessToken: string): Request
  stop(): Promise<void>
}

const FORM = 'application/x-www-form-urlencoded'

/** RFC 6749 §2.3.1 client_secret_basic. */
export function basic(id: string, secret: string): string {
  const enc = (v: string): string => new URLSearchParams([['', v]]).toString().slice(1)
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`
}

const tokenRequest = (url: string, authorization: string): Request => ({
  url,
  headers: { authorization, 'content-type': FORM },
  body: 'grant_type=client_credentials',
})

const introspectRequest = (url: string, token: string, authorization?: string): Request => ({
  url,
  headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) },
  body: new URLSearchParams({ token }).toString(),
})

export async function startCeiling(): Promise<Target> {
  const child = startChild(join(HERE, 'ceiling.js'), [], cleanEnv({}))
  try {
    const { url } = await announcement(child)
    return {
      name: 'Fastify ceiling',
      pid: child.pid,
      token: tokenRequest(`${url}/oauth2/token`, basic('ceiling', 'ceiling-secret')),
      introspect: (token) => introspectRequest(`${url}/admin/oauth2/introspect`, token),
      stop: () => child.stop(),
    }
  } catch (e) {
    await child.stop()
    throw e
  }
}

export async function startOidcProvider(): Promise<Target> {
  const child = startChild(join(HERE, 'oidc-provider.js'), [], cleanEnv({}))
  try {
    const { url, clientId = '', clientSecret = '' } = await announcement(child)
    const auth = basic(clientId, clientSecret)
    return {
      name: 'oidc-provider',
      pid: child.pid,
      token: tokenRequest(`${url}/token`, auth),
      // oidc-provider authenticates the caller of its introspection endpoint too.
      introspect: (token) => introspectRequest(`${url}/token/introspection`, token, auth),
      stop: () => child.stop(),
    }
  } catch (e) {
    await child.stop()
    throw e
  }
}

export interface Database {
  label: string
  dsn: string
  drop(): Promise<void>
}

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
  const schema = `orthrus_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    await admin.query(`create schema "${schema}"`)
  } finally {
    await admin.end()
  }
  return {
    label: 'PostgreSQL',
    dsn: `${base}${base.includes('?') ? '&' : '?'}search_path=${encodeURIComponent(schema)}`,
    async drop() {
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      try {
        await c.query(`drop schema if exists "${schema}" cascade`)
      } finally {
        await c.end()
      }
    },
  }
}

/** `orthrus serve all --dev` on the database, with one client_credentials client made through the admin API. */
export async function startOrthrus(db: Database): Promise<Target> {
  const [publicPort, adminPort] = [await freePort(), await freePort()]
  const publicUrl = `http://127.0.0.1:${publicPort}`
  const adminUrl = `http://127.0.0.1:${adminPort}`
  const env = cleanEnv({
    DSN: db.dsn,
    SECRETS_SYSTEM: randomBytes(24).toString('base64url'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: String(publicPort),
    SERVE_ADMIN_PORT: String(adminPort),
    URLS_SELF_ISSUER: publicUrl,
  })
  const child = startChild(ORTHRUS_MAIN, ['serve', 'all', '--dev'], env)
  try {
    await waitReady(child, `${publicUrl}/health/ready`)
    await waitReady(child, `${adminUrl}/health/ready`)
    const res = await fetch(`${adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'bench', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }),
    })
    const client = (await res.json()) as { client_id?: string; client_secret?: string }
    if (res.status !== 201 || !client.client_id || !client.client_secret) {
      throw new Error(`creating the benchmark client answered ${res.status}`)
    }
    return {
      name: `Orthrus (${db.label})`,
      pid: child.pid,
      token: tokenRequest(`${publicUrl}/oauth2/token`, basic(client.client_id, client.client_secret)),
      introspect: (token) => introspectRequest(`${adminUrl}/admin/oauth2/introspect`, token),
      stop: () => child.stop(),
    }
  } catch (e) {
    await child.stop()
    throw e
  }
}
