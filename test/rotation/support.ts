// Several servers over one database, each with its own secrets: what an operator's rolling
// restart with a rotated configuration looks like.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appsOn as appsOnDsn, type TestApps } from '../support/app.js'
import type { TestDatabase } from '../support/databases.js'

/** A database several registries can open: a file for SQLite (":memory:" is per connection). */
export async function sharedDatabase(t: TestDatabase): Promise<{ dsn: string; drop(): Promise<void> }> {
  if (t.name !== 'sqlite') return t.create()
  const dir = await mkdtemp(join(tmpdir(), 'orthrus-rotation-'))
  return { dsn: `sqlite://${join(dir, 'db.sqlite')}`, drop: () => rm(dir, { recursive: true, force: true }) }
}

/** Both apps in-process over an existing database, configured by `env` (on top of testConfig). */
export const appsOn = (dsn: string, env: Record<string, string>): Promise<TestApps> => appsOnDsn(dsn, env, { keyCacheTtlMs: 0 })

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

export async function m2mClient(env: TestApps, body: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: ['client_credentials'], scope: 'read', ...body } })
  if (res.statusCode !== 201) throw new Error(`client not created: ${res.body}`)
  return { id: res.json().client_id, secret: res.json().client_secret }
}

export async function issue(env: TestApps, c: { id: string; secret: string }): Promise<string> {
  const res = await env.public.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { ...FORM, authorization: basic(c.id, c.secret) },
    payload: 'grant_type=client_credentials&scope=read',
  })
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.body}`)
  return res.json().access_token as string
}

export async function introspect(env: TestApps, token: string): Promise<{ active: boolean } & Record<string, unknown>> {
  const res = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(token)}` })
  if (res.statusCode !== 200) throw new Error(`introspection failed: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function jwks(env: TestApps): Promise<{ keys: Array<{ kid: string } & Record<string, unknown>> }> {
  const res = await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  if (res.statusCode !== 200) throw new Error(`jwks failed: ${res.body}`)
  return res.json()
}
