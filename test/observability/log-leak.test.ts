// No credential ever reaches the log: the server runs with trace-level logging while a test drives
// every kind of request that carries one, and every captured line is searched for every
// credential value that went over the wire.
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging.js'
import { appsOn, type TestApps } from '../support/app.js'
import { testDatabases, type TestDatabase } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  REDIRECT_URI,
  acceptConsent,
  acceptLogin,
  adminCall,
  browse,
  startFlow,
  toClient,
  toConsent,
} from '../support/flow.js'
import { queryOf } from '../support/browser.js'
import { basic, tokenRequest } from './helpers.js'

class Capture extends Writable {
  readonly lines: string[] = []
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.lines.push(line)
    done()
  }
}

async function loggedApps(db: TestDatabase, out: Capture, env: Record<string, string>): Promise<TestApps> {
  const { dsn, drop } = await db.create()
  return appsOn(dsn, { ...FLOW_ENV, LOG_LEVEL: 'trace', ...env }, { logTo: out, drop })
}

const PASSWORD = 'correct-horse-battery-staple-42'

for (const db of testDatabases()) {
  for (const format of ['json', 'text'] as const) {
    describe(`log hygiene (${db.name}, ${format} logs at trace level)`, () => {
      const out = new Capture()
      const secrets = new Map<string, string>()
      let env: TestApps
      const keep = (what: string, value: string | undefined | null): void => {
        expect(value, what).toBeTruthy()
        secrets.set(value as string, what)
      }

      beforeAll(async () => {
        env = await loggedApps(db, out, { LOG_FORMAT: format })
        // A client with a chosen secret.
        const clientSecret = 'a-client-secret-chosen-by-the-operator'
        const created = await env.admin.inject({
          method: 'POST',
          url: '/admin/clients',
          payload: {
            client_secret: clientSecret,
            redirect_uris: [REDIRECT_URI],
            grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
            response_types: ['code'],
            scope: 'openid offline read',
          },
        })
        expect(created.statusCode, created.body).toBe(201)
        const client = created.json() as { client_id: string; registration_access_token?: string }
        keep('client secret', clientSecret)
        const authorization = basic(client.client_id, clientSecret)
        keep('Authorization header', authorization)
        keep('Authorization credentials', authorization.slice('Basic '.length))

        // client_credentials
        const cc = await tokenRequest(env, { grant_type: 'client_credentials', scope: 'read' }, authorization)
        expect(cc.statusCode, cc.body).toBe(200)
        keep('client_credentials access token', (cc.json() as { access_token: string }).access_token)
        // ... and with the secret in the body, which this client may not do: a failure.
        const post = await tokenRequest(env, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: clientSecret })
        expect(post.statusCode, post.body).toBe(401)

        // Authorization code flow; the login and consent app send a password-like value along.
        const jar = new CookieJar()
        const loginChallenge = await startFlow(env, jar, client.client_id)
        keep('login challenge', loginChallenge)
        for (const name of jar.names()) keep(`cookie ${name}`, jar.get(name))
        const loginRedirect = await acceptLogin(env, loginChallenge, { subject: 'user-1', context: { password: PASSWORD } })
        keep('login verifier', queryOf(loginRedirect).get('login_verifier'))
        const consentChallenge = await toConsent(env, jar, loginRedirect)
        keep('consent challenge', consentChallenge)
        const consentRedirect = await acceptConsent(env, consentChallenge, {
          grant_scope: ['openid', 'offline'],
          session: { id_token: { password: PASSWORD }, access_token: { password: PASSWORD } },
        })
        keep('consent verifier', queryOf(consentRedirect).get('consent_verifier'))
        for (const name of jar.names()) keep(`cookie ${name}`, jar.get(name))
        const params = await toClient(env, jar, consentRedirect)
        const code = params.get('code')
        keep('authorization code', code)
        keep('password', PASSWORD)

        const exchanged = await tokenRequest(env, { grant_type: 'authorization_code', code: code as string, redirect_uri: REDIRECT_URI }, authorization)
        expect(exchanged.statusCode, exchanged.body).toBe(200)
        const tokens = exchanged.json() as { access_token: string; refresh_token: string; id_token: string }
        keep('access token', tokens.access_token)
        keep('refresh token', tokens.refresh_token)
        keep('ID token', tokens.id_token)
        // Each segment of the JWT too: a log line must not carry its signature or claims either.
        for (const part of tokens.id_token.split('.')) keep('ID token segment', part)

        // A wrong secret fails.
        const wrong = basic(client.client_id, 'a-wrong-secret-that-is-long-enough')
        keep('wrong Authorization header', wrong)
        expect((await tokenRequest(env, { grant_type: 'client_credentials' }, wrong)).statusCode).toBe(401)

        const refreshed = await tokenRequest(env, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, authorization)
        expect(refreshed.statusCode, refreshed.body).toBe(200)
        const next = refreshed.json() as { access_token: string; refresh_token: string }
        keep('refreshed access token', next.access_token)
        keep('refreshed refresh token', next.refresh_token)

        // Introspection and revocation.
        const introspected = await env.admin.inject({
          method: 'POST',
          url: '/admin/oauth2/introspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token: next.access_token }).toString(),
        })
        expect(introspected.statusCode, introspected.body).toBe(200)
        expect((introspected.json() as { active: boolean }).active).toBe(true)
        const revoked = await env.public.inject({
          method: 'POST',
          url: '/oauth2/revoke',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
          payload: new URLSearchParams({ token: next.refresh_token }).toString(),
        })
        expect(revoked.statusCode, revoked.body).toBe(200)

        // Userinfo with a bearer token, and with a garbage one.
        const bearer = `Bearer ${next.access_token}`
        keep('bearer header', bearer)
        await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: bearer } })
        await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer ory_at_not-a-real-token-value-xyz' } })
        keep('garbage bearer', 'ory_at_not-a-real-token-value-xyz')

        // Reusing the old refresh token is refused.
        expect((await tokenRequest(env, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, authorization)).statusCode).toBe(400)
        // The code used again fails (and revokes what it issued).
        expect((await tokenRequest(env, { grant_type: 'authorization_code', code: code as string, redirect_uri: REDIRECT_URI }, authorization)).statusCode).toBe(400)

        // A login rejected and a consent looked up by challenge; a malformed JSON body; a flow
        // resumed with a verifier it does not know.
        const jar2 = new CookieJar()
        const second = await startFlow(env, jar2, client.client_id)
        keep('second login challenge', second)
        expect((await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${second}`)).statusCode).toBe(200)
        expect(
          (
            await env.admin.inject({
              method: 'PUT',
              url: `/admin/oauth2/auth/requests/login/accept?login_challenge=${second}`,
              headers: { 'content-type': 'application/json' },
              payload: `{"subject": "user-1", "password": "${PASSWORD}"`,
            })
          ).statusCode,
        ).toBe(400)
        expect((await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${second}`, { error: 'access_denied', error_description: 'no' })).statusCode).toBe(200)
        const unknown = 'an-unknown-login-verifier-value-0123456789'
        keep('unknown verifier', unknown)
        expect((await browse(env, jar2, `/oauth2/auth?client_id=${client.client_id}&login_verifier=${unknown}`)).statusCode).toBeGreaterThanOrEqual(300)
        // Challenges the server never issued, on every engine's id columns.
        for (const kind of ['login', 'consent', 'logout'] as const) {
          const forged = `forged-${kind}-challenge-0123456789abcdef`
          keep(`forged ${kind} challenge`, forged)
          const res = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/${kind}?${kind}_challenge=${forged}`)
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
          expect(res.statusCode, res.body).toBeLessThan(500)
          const put = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/${kind}/accept?${kind}_challenge=${forged}`, { subject: 'user-1' })
          expect(put.statusCode, put.body).toBeGreaterThanOrEqual(400)
          expect(put.statusCode, put.body).toBeLessThan(500)
        }
        // Introspection of a token that does not exist.
        const forgedToken = 'ory_at_forged-token-value.forged-signature-value'
        keep('forged token', forgedToken)
        const inactive = await env.admin.inject({
          method: 'POST',
          url: '/admin/oauth2/introspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token: forgedToken }).toString(),
        })
        expect(inactive.statusCode, inactive.body).toBe(200)
      })
      afterAll(async () => {
        await env?.close()
      })

      it("logged every request", () => {
        const completed = out.lines.filter((l) => l.includes('request completed'))
        expect(completed.length).toBeGreaterThan(20)
        if (format === 'json') {
          for (const line of out.lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow()
        } else {
          for (const line of out.lines) expect(line).toMatch(/^time=\S+ level=\w+ msg=/)
        }
      })

      it('never logs a token, code, secret, challenge, verifier, cookie, Authorization header or password', () => {
        expect(secrets.size).toBeGreaterThan(20)
        for (const line of out.lines) {
          for (const [value, what] of secrets) {
            expect(line.includes(value), `${what} appears in a log line: ${line}`).toBe(false)
          }
        }
      })
    })
  }
}

describe('logger settings', () => {
  const lines = (level: 'info' | 'debug', leak: boolean, format: 'json' | 'text' = 'json'): string[] => {
    const out = new Capture()
    const logger = createLogger({ level, format, leak_sensitive_values: leak, redaction_text: '' }, out)
    logger.debug('a debug line')
    logger.info({ client_secret: 'the-secret-value', nested: { token: 'the-token-value' }, user: 'alice' }, 'fields')
    return out.lines
  }

  it('honours log.level', () => {
    expect(lines('info', false).some((l) => l.includes('a debug line'))).toBe(false)
    expect(lines('debug', false).some((l) => l.includes('a debug line'))).toBe(true)
  })

  it('redacts credential-named fields unless log.leak_sensitive_values is set', () => {
    const hidden = lines('info', false).join('\n')
    expect(hidden).not.toContain('the-secret-value')
    expect(hidden).not.toContain('the-token-value')
    expect(hidden).toContain('alice')
    const leaked = lines('info', true).join('\n')
    expect(leaked).toContain('the-secret-value')
    expect(leaked).toContain('the-token-value')
  })

  it('honours log.format text', () => {
    const text = lines('info', false, 'text')
    expect(text.at(-1)).toMatch(/^time=\S+ level=info msg=fields /)
    expect(text.join('\n')).not.toContain('the-secret-value')
  })
})
