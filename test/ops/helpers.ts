// Helpers for the operations tests: several real `orthrus serve all` processes on one database,
// spoken to over HTTP only (fetch, manual redirects, a cookie jar), as a load balancer, a browser
// and a login & consent app would.
import { expect } from 'vitest'
import { CookieJar } from '../support/browser.js'
import { runCli, startServerProcess, type ServerProcess } from '../support/cli.js'
import { visit } from '../support/fetch-browser.js'

export const SECRET = 'ops-test-system-secret-0123456789abcdef'
/** The issuer every instance shares; requests go to the instances directly, never to this host. */
export const ISSUER = 'https://auth.orthrus.test'
export const LOGIN_URL = 'https://login.orthrus.test/login'
export const CONSENT_URL = 'https://consent.orthrus.test/consent'
export const REDIRECT_URI = 'https://app.orthrus.test/cb'

/** What every instance of one deployment shares (outside --dev: no instance migrates). */
export function instanceEnv(dsn: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DSN: dsn,
    SECRETS_SYSTEM: SECRET,
    URLS_SELF_ISSUER: ISSUER,
    URLS_LOGIN: LOGIN_URL,
    URLS_CONSENT: CONSENT_URL,
    OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
    LOG_LEVEL: 'info',
    ...extra,
  }
}

export async function migrate(dsn: string): Promise<void> {
  const up = await runCli(['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: dsn } })
  expect(up.code, up.stderr).toBe(0)
}

export async function migrationsClean(dsn: string): Promise<void> {
  const status = await runCli(['migrate', 'sql', 'status', '-e'], { env: { DSN: dsn } })
  expect(status.code, status.stderr).toBe(0)
  expect(status.stdout).not.toMatch(/Pending/)
  expect(status.stdout).toMatch(/Applied/)
}

export function startInstance(dsn: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess([], instanceEnv(dsn, extra))
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

export async function adminJson(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

export async function form(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
    signal,
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }
}

export interface Client {
  client_id: string
  client_secret: string
}

export async function createClient(adminUrl: string, body: Record<string, unknown>): Promise<Client> {
  const res = await adminJson(adminUrl, 'POST', '/admin/clients', body)
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return res.json as Client
}

/** client_credentials at an instance's token endpoint. */
/** `signal` bounds a request that may never be answered (one handed to a worker as it is killed). */
export function clientCredentials(publicUrl: string, c: Client, scope?: string, signal?: AbortSignal) {
  return form(`${publicUrl}/oauth2/token`, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(c.client_id, c.client_secret) }, signal)
}

export async function introspect(adminUrl: string, token: string): Promise<Record<string, unknown>> {
  const res = await form(`${adminUrl}/admin/oauth2/introspect`, { token })
  expect(res.status, JSON.stringify(res.json)).toBe(200)
  return res.json
}

/** The tokens of `tokens` that introspect as not active at `adminUrl`, asking `inFlight` at a time. */
export async function inactiveTokens(adminUrl: string, tokens: readonly string[], inFlight = 20): Promise<string[]> {
  const inactive: string[] = []
  for (let i = 0; i < tokens.length; i += inFlight) {
    await Promise.all(
      tokens.slice(i, i + inFlight).map(async (t) => {
        if ((await introspect(adminUrl, t)).active !== true) inactive.push(t)
      }),
    )
  }
  return inactive
}

/**
 * One browser request to `url` sent to `instance` instead of the URL's own origin (the shared
 * issuer names a host that does not exist here: the test plays the load balancer). No redirect is
 * followed; cookies go out from and come back into the jar.
 */
export function browse(jar: CookieJar, instancePublicUrl: string, url: string): Promise<{ status: number; location: string }> {
  return visit(jar, url, undefined, instancePublicUrl)
}

/** Polls `check` every `everyMs` until it returns true; returns the milliseconds it took, or throws after `limitMs`. */
export async function within(limitMs: number, check: () => Promise<boolean>, everyMs = 100): Promise<number> {
  const start = Date.now()
  for (;;) {
    if (await check()) return Date.now() - start
    if (Date.now() - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export { CookieJar, type ServerProcess }
