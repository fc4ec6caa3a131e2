// urls.identity_provider: the login accept's identity_provider_session_id stays with the login
// session, and when that session ends (logout, or revocation by sid) the identity provider's
// session is disabled through Kratos' admin API with the configured headers, in the background:
// a slow or failing identity provider never holds up the logout, and a failure is logged.
import { Writable } from 'node:stream'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableSessionUrl } from '../../src/flow/identity-provider.js'
import { appsOn, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { startLocalServer, type LocalServer, type Recorded } from '../support/fake-http.js'
import type { ServerResponse } from 'node:http'
import { CookieJar, FLOW_ENV, REDIRECT_URI, adminCall, browse, createClient, fullFlow } from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

const LOGOUT_URL = 'https://logout.example.com/logout'

class Capture extends Writable {
  readonly lines: string[] = []
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.lines.push(line)
    done()
  }
}

const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

it('addresses Kratos admin disableSession under the configured URL', () => {
  expect(disableSessionUrl('https://kratos.example.com/admin', 'a b')).toBe('https://kratos.example.com/admin/admin/sessions/a%20b')
  expect(disableSessionUrl('http://127.0.0.1:4434/', 's1')).toBe('http://127.0.0.1:4434/admin/sessions/s1')
})

for (const t of testDatabases()) {
  describe(`the identity provider's session on ${t.name}`, () => {
    // A stand-in Kratos admin API: records every request; answers as `mode` says, or holds on.
    const requests: Recorded[] = []
    const held: ServerResponse[] = []
    let mode: 'ok' | 'fail' | 'hang' = 'ok'
    let kratos: LocalServer
    const log = new Capture()
    let env: TestApps
    let drop: () => Promise<void>
    beforeAll(async () => {
      kratos = await startLocalServer((req, body, res) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
        if (mode === 'hang') held.push(res)
        else if (mode === 'fail') res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}')
        else res.writeHead(204).end()
      })
      const db = await t.create()
      drop = db.drop
      env = await appsOn(
        db.dsn,
        {
          ...FLOW_ENV,
          URLS_LOGOUT: LOGOUT_URL,
          LOG_LEVEL: 'warn',
          URLS_IDENTITY_PROVIDER_URL: `${kratos.url}/kratos-admin`,
          URLS_IDENTITY_PROVIDER_HEADERS: JSON.stringify({ Authorization: 'Bearer kratos-admin-key', 'X-Tenant': 't1' }),
        },
        { logTo: log },
      )
    })
    afterAll(async () => {
      await env?.close()
      await drop?.()
      for (const res of held) res.end()
      await kratos.close()
    })

    /** A remembered login carrying an identity provider session; its sid and ID token. */
    async function login(jar: CookieJar, idpSession: string) {
      const client = await createClient(env, { scope: 'openid offline' })
      const params = await fullFlow(env, jar, client.client_id, {
        login: { subject: 'alice', remember: true, remember_for: 3600, identity_provider_session_id: idpSession },
      })
      const res = await tokenCall(env, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: REDIRECT_URI }, basic(client))
      const idToken = (res.json() as { id_token: string }).id_token
      return { sid: decodeJwt(idToken).sid as string, idToken }
    }

    const disabled = (id: string) => requests.filter((r) => r.method === 'DELETE' && r.url === `/kratos-admin/admin/sessions/${id}`)

    it('keeps identity_provider_session_id with the login session', async () => {
      const { sid } = await login(new CookieJar(), 'kratos-kept')
      const row = await env.registry.db.kysely.selectFrom('hydra_oauth2_authentication_session').selectAll().where('id', '=', sid).executeTakeFirstOrThrow()
      expect(row.identity_provider_session_id).toBe('kratos-kept')
    })

    it('disables it on logout, with the configured headers', async () => {
      mode = 'ok'
      const jar = new CookieJar()
      const { idToken } = await login(jar, 'kratos-logout')
      const started = await browse(env, jar, `/oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: idToken }).toString()}`)
      const challenge = queryOf(String(started.headers.location)).get('logout_challenge') ?? ''
      const accepted = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${encodeURIComponent(challenge)}`, {})
      await browse(env, jar, (accepted.json() as { redirect_to: string }).redirect_to)
      await until(() => disabled('kratos-logout').length === 1)
      const call = disabled('kratos-logout')[0]
      expect(call?.headers.authorization).toBe('Bearer kratos-admin-key')
      expect(call?.headers['x-tenant']).toBe('t1')
    })

    it('disables it on revocation by sid, without waiting for a slow identity provider', async () => {
      const { sid } = await login(new CookieJar(), 'kratos-slow')
      mode = 'hang'
      const revoked = await env.admin.inject({ method: 'DELETE', url: `/admin/oauth2/auth/sessions/login?sid=${encodeURIComponent(sid)}` })
      // Answered while the identity provider still holds its answer back.
      expect(revoked.statusCode).toBe(204)
      await until(() => disabled('kratos-slow').length === 1)
      expect(held).toHaveLength(1)
    })

    it('logs a failure of the identity provider and still ends the session', async () => {
      mode = 'fail'
      const { sid } = await login(new CookieJar(), 'kratos-failing')
      const revoked = await env.admin.inject({ method: 'DELETE', url: `/admin/oauth2/auth/sessions/login?sid=${encodeURIComponent(sid)}` })
      expect(revoked.statusCode).toBe(204)
      await until(() => log.lines.some((l) => l.includes('unable to disable the session at the identity provider')))
      const line = log.lines.find((l) => l.includes('unable to disable the session at the identity provider')) ?? ''
      expect(line).toContain('kratos-failing')
      expect(line).toContain('answered 500')
      expect(line).not.toContain('kratos-admin-key')
      const gone = await env.registry.db.kysely.selectFrom('hydra_oauth2_authentication_session').select('id').where('id', '=', sid).execute()
      expect(gone).toEqual([])
    })
  })
}
