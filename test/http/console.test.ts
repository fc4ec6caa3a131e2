// The admin console's server side (src/http/console-routes.ts), in-process: the static files and
// their headers, the off switch, unknown and crafted asset paths, the status report and the
// "Try it" relay to the public token endpoint.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_CSP } from '../../src/http/console-routes.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { freePort } from '../support/socket-server.js'

const SECRET_FILE_TEXT = 'outside-the-assets-directory'

/** A stand-in for dist/console: index.html, two assets, and a file beside them that must never be served. */
function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orthrus-console-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console fixture</title><script type="module" src="/console/assets/app-abc.js"></script>')
  writeFileSync(join(dir, 'assets', 'app-abc.js'), 'export const x = 1')
  writeFileSync(join(dir, 'assets', 'style-abc.css'), 'body{}')
  writeFileSync(join(dir, 'assets', 'notes.txt'), SECRET_FILE_TEXT)
  writeFileSync(join(dir, 'secret.txt'), SECRET_FILE_TEXT)
  return dir
}

const DIALECT = { sqlite: 'sqlite', postgres: 'postgres', mysql: 'mysql' } as const

for (const t of testDatabases()) {
  describe(`admin console routes on ${t.name}`, () => {
    const dir = fixtureDir()
    let env: TestApps
    let publicPort: number
    let client: { client_id: string; client_secret: string }

    beforeAll(async () => {
      publicPort = await freePort()
      env = await testApps(t, { URLS_SELF_PUBLIC: `http://127.0.0.1:${publicPort}/` }, { admin: { consoleDir: dir } })
      await env.public.listen({ host: '127.0.0.1', port: publicPort })
      const created = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'console', grant_types: ['client_credentials'], scope: 'read' } })
      client = created.json()
    })
    afterAll(async () => {
      await env?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('serves index.html at /console/ under a CSP that allows only its own files', async () => {
      for (const url of ['/console/', '/console']) {
        const res = await env.admin.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(200)
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(res.body).toContain('console fixture')
        const csp = String(res.headers['content-security-policy'])
        expect(csp).toBe(CONSOLE_CSP)
        for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(directive)
        expect(csp).not.toContain('unsafe')
        expect(res.headers['x-frame-options']).toBe('DENY')
        expect(res.headers['x-content-type-options']).toBe('nosniff')
        expect(res.headers['referrer-policy']).toBe('no-referrer')
      }
    })

    it('serves the built assets with their type and a long cache lifetime', async () => {
      const js = await env.admin.inject({ method: 'GET', url: '/console/assets/app-abc.js' })
      expect(js.statusCode).toBe(200)
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(js.headers['content-security-policy']).toBe(CONSOLE_CSP)
      expect(js.body).toBe('export const x = 1')
      const css = await env.admin.inject({ method: 'GET', url: '/console/assets/style-abc.css' })
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    })

    it('answers 404 in the API error shape for an unknown asset or a file type it does not serve', async () => {
      for (const url of ['/console/assets/nope.js', '/console/assets/notes.txt', '/console/assets/', '/console/nope']) {
        const res = await env.admin.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(404)
        expect(res.json(), url).toMatchObject({ error: 'Unable to locate the resource', status_code: 404 })
        expect(res.body).not.toContain(SECRET_FILE_TEXT)
      }
    })

    it('never serves a file outside the assets through a crafted path', async () => {
      const crafted = [
        '/console/assets/..%2Fsecret.txt',
        '/console/assets/..%2F..%2Fpackage.json',
        '/console/assets/%2e%2e%2fsecret.txt',
        '/console/assets/..%5Csecret.txt',
        '/console/assets/../secret.txt',
        '/console/assets/../../package.json',
        '/console/%2e%2e/secret.txt',
        '/console/secret.txt',
        '/console/assets/app-abc.js%00.txt',
        '/console/assets/%2Fetc%2Fpasswd',
      ]
      for (const url of crafted) {
        const res = await env.admin.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(404)
        expect(res.body, url).not.toContain(SECRET_FILE_TEXT)
        expect(res.body, url).not.toContain('"dependencies"')
      }
    })

    it('reports database kind, migrations, listeners, key sets and live tokens', async () => {
      const before = (await env.admin.inject({ method: 'GET', url: '/admin/orthrus/status' })).json()
      expect(before).toMatchObject({
        issuer: env.registry.config.urls.self.issuer,
        database: { dialect: DIALECT[t.name], reachable: true, migrations: { pending: [] } },
        unavailable: [],
      })
      expect(before.version).toMatch(/^v\d/)
      expect(before.database.migrations.applied).toBeGreaterThan(0)
      expect(before.key_sets).toEqual(expect.arrayContaining([{ set: 'hydra.openid.id-token', keys: 1 }, { set: 'hydra.jwt.access-token', keys: 1 }]))
      expect(before.listeners.map((l: { name: string }) => l.name)).toEqual(['public', 'admin'])
      const token = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
        payload: 'grant_type=client_credentials',
      })
      expect(token.statusCode, token.body).toBe(200)
      const after = (await env.admin.inject({ method: 'GET', url: '/admin/orthrus/status' })).json()
      expect(after.live_tokens.access_tokens).toBe(before.live_tokens.access_tokens + 1)
    })

    it('relays client_credentials to the public token endpoint and returns its answer as it came', async () => {
      const ok = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', payload: { client_id: client.client_id, client_secret: client.client_secret, scope: 'read' } })
      expect(ok.statusCode, ok.body).toBe(200)
      expect(ok.headers['cache-control']).toBe('no-store')
      const body = ok.json()
      expect(body).toMatchObject({ token_endpoint: `http://127.0.0.1:${publicPort}/oauth2/token`, auth_method: 'client_secret_basic', status: 200, response: { token_type: 'bearer', scope: 'read' } })
      expect(body.response.access_token).toMatch(/^ory_at_/)
      const introspected = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${body.response.access_token}` })
      expect(introspected.json()).toMatchObject({ active: true, client_id: client.client_id })

      const post = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', payload: { client_id: client.client_id, client_secret: client.client_secret, auth_method: 'client_secret_post' } })
      expect(post.json()).toMatchObject({ auth_method: 'client_secret_post', status: 401, response: { error: 'invalid_client' } })

      const wrong = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', payload: { client_id: client.client_id, client_secret: 'not-the-secret' } })
      expect(wrong.statusCode).toBe(200)
      expect(wrong.json()).toMatchObject({ status: 401, response: { error: 'invalid_client' } })
    })

    it('refuses bad relay input with a 400 in the API error shape', async () => {
      const cases: unknown[] = [{}, { client_id: 'x' }, { client_id: 7, client_secret: 's' }, { client_id: 'x', client_secret: 's', audience: 'a' }, { client_id: 'x', client_secret: 's', auth_method: 'none' }]
      for (const payload of cases) {
        const res = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', payload: payload as object })
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        expect(res.json()).toMatchObject({ error: 'invalid_request', status_code: 400 })
      }
      const form = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', headers: { 'content-type': 'text/plain' }, payload: 'client_id=x' })
      expect(form.statusCode).toBe(415)
    })
  })
}

describe('admin console switches', () => {
  const [sqlite] = testDatabases()

  it('is off with serve.admin.console.enabled: false: no page, no status, no relay', async () => {
    const dir = fixtureDir()
    const env = await testApps(sqlite!, { SERVE_ADMIN_CONSOLE_ENABLED: 'false' }, { admin: { consoleDir: dir } })
    try {
      expect(env.registry.config.serve.admin.console.enabled).toBe(false)
      for (const [method, url] of [['GET', '/console/'], ['GET', '/console/assets/app-abc.js'], ['GET', '/admin/orthrus/status'], ['POST', '/admin/orthrus/try/client-credentials']] as const) {
        const res = await env.admin.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) })
        expect(res.statusCode, url).toBe(404)
      }
      // The admin API itself is untouched.
      expect((await env.admin.inject({ method: 'GET', url: '/admin/clients' })).statusCode).toBe(200)
    } finally {
      await env.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('explains a missing build with a themed 503 page under a strict CSP', async () => {
    const env = await testApps(sqlite!, {}, { admin: { consoleDir: join(tmpdir(), 'orthrus-no-console-here') } })
    try {
      const res = await env.admin.inject({ method: 'GET', url: '/console/' })
      expect(res.statusCode).toBe(503)
      expect(res.body).toContain('npm run build')
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toContain("default-src 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.body).not.toContain('<script')
      expect((await env.admin.inject({ method: 'GET', url: '/console/assets/app.js' })).statusCode).toBe(404)
    } finally {
      await env.close()
    }
  })

  it('answers 502 with a clear reason when the public token endpoint cannot be reached, never echoing the secret', async () => {
    const closed = await freePort()
    const env = await testApps(sqlite!, { URLS_SELF_PUBLIC: `http://127.0.0.1:${closed}/` }, { admin: { consoleDir: join(tmpdir(), 'orthrus-no-console-here') } })
    try {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/orthrus/try/client-credentials', payload: { client_id: 'c', client_secret: 'very-secret-value' } })
      expect(res.statusCode).toBe(502)
      expect(res.json()).toMatchObject({ error: 'server_error', status_code: 502 })
      expect(res.json().error_description).toContain(`http://127.0.0.1:${closed}/oauth2/token`)
      expect(res.body).not.toContain('very-secret-value')
    } finally {
      await env.close()
    }
  })
})
