// Remembered logins (the session cookie) and remembered consents, and the prompt and max_age
// parameters that override them (OpenID Connect Core §3.1.2.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ID_TOKEN_SET } from '../../src/jwk/keyring.js'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  STATE,
  acceptConsent,
  acceptLogin,
  adminCall,
  browse,
  authorizePath,
  createClient,
  fullFlow,
  startFlow,
  toClient,
  toConsent,
} from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`remembered logins and consents on ${t.name}`, () => {
    let env: TestApps
    let clientId: string
    const clock = testClock()
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV, { clock })
      clientId = (await createClient(env)).client_id
    })
    afterAll(async () => env.close())

    const loginRequest = async (challenge: string) =>
      (await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)).json()
    const consentRequest = async (challenge: string) =>
      (await adminCall(env, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${challenge}`)).json()
    const sessionCookie = () => env.registry.config.serve.cookies.names.session

    it('reports skip=true with the subject on a second login in the same browser', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, { login: { subject: 'alice', remember: true, remember_for: 3600 } })
      expect(jar.get(sessionCookie())).toBeTruthy()

      const challenge = await startFlow(env, jar, clientId)
      const lr = await loginRequest(challenge)
      expect(lr).toMatchObject({ skip: true, subject: 'alice' })

      // The login app must confirm the same subject.
      const wrong = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, { subject: 'mallory' })
      expect(wrong.statusCode).toBe(400)
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge, { subject: 'alice' }))
      expect((await consentRequest(consent)).login_session_id).toBe(lr.session_id)

      // Another browser knows nothing of it; prompt=login ignores it.
      expect((await loginRequest(await startFlow(env, new CookieJar(), clientId))).skip).toBe(false)
      expect((await loginRequest(await startFlow(env, jar, clientId, { prompt: 'login' }))).skip).toBe(false)
    })

    it('does not remember a login accepted with remember=false, and forgets the earlier one', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, { login: { subject: 'bob', remember: true } })
      expect(jar.get(sessionCookie())).toBeTruthy()
      await fullFlow(env, jar, clientId, { extra: { prompt: 'login' }, login: { subject: 'bob', remember: false } })
      expect(jar.get(sessionCookie())).toBeUndefined()
      expect((await loginRequest(await startFlow(env, jar, clientId))).skip).toBe(false)
    })

    it('skips consent when a remembered consent covers the requested scopes', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, {
        login: { subject: 'dave', remember: true },
        consent: { grant_scope: ['openid', 'offline'], remember: true, remember_for: 0 },
      })
      const challenge = await startFlow(env, jar, clientId, { scope: 'openid' })
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge, { subject: 'dave' }))
      expect((await consentRequest(consent)).skip).toBe(true)
      const q = await toClient(env, jar, await acceptConsent(env, consent, { grant_scope: ['openid'] }))
      expect(q.get('code')).toBeTruthy()

      // A scope beyond the remembered ones, or prompt=consent, asks again.
      const wider = await startFlow(env, jar, clientId, { scope: 'openid profile' })
      expect((await consentRequest(await toConsent(env, jar, await acceptLogin(env, wider, { subject: 'dave' })))).skip).toBe(false)
      const forced = await startFlow(env, jar, clientId, { prompt: 'consent' })
      expect((await consentRequest(await toConsent(env, jar, await acceptLogin(env, forced, { subject: 'dave' })))).skip).toBe(false)

      // prompt=none now works end to end: login and consent are both remembered.
      const silent = await startFlow(env, jar, clientId, { prompt: 'none' })
      const silentConsent = await toConsent(env, jar, await acceptLogin(env, silent, { subject: 'dave' }))
      expect((await toClient(env, jar, await acceptConsent(env, silentConsent))).get('code')).toBeTruthy()
    })

    it('asks a public client again when its redirect URI cannot prove who it is (RFC 8252 §8.6)', async () => {
      const native = 'com.example.app:/cb'
      const pub = await createClient(env, { token_endpoint_auth_method: 'none', redirect_uris: [native, 'https://app.example.com/cb'] })
      for (const [redirect, skipped] of [
        [native, false],
        ['https://app.example.com/cb', true],
      ] as const) {
        const jar = new CookieJar()
        for (const round of [1, 2]) {
          const challenge = await startFlow(env, jar, pub.client_id, { redirect_uri: redirect })
          const consent = await toConsent(env, jar, await acceptLogin(env, challenge, { subject: 'ivan', remember: true }))
          if (round === 2) expect((await consentRequest(consent)).skip, redirect).toBe(skipped)
          const res = await browse(env, jar, await acceptConsent(env, consent, { grant_scope: ['openid', 'offline'], remember: true }))
          expect(String(res.headers.location).startsWith(redirect)).toBe(true)
        }
      }
    })

    it('returns consent_required for prompt=none without a remembered consent', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, { login: { subject: 'erin', remember: true } })
      const challenge = await startFlow(env, jar, clientId, { prompt: 'none' })
      expect((await loginRequest(challenge)).skip).toBe(true)
      const res = await browse(env, jar, await acceptLogin(env, challenge, { subject: 'erin' }))
      expect(res.statusCode).toBe(303)
      const q = queryOf(String(res.headers.location))
      expect(q.get('error')).toBe('consent_required')
      expect(q.get('state')).toBe(STATE)
    })

    it('re-authenticates when the remembered login is older than max_age', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, { login: { subject: 'frank', remember: true } })
      clock.advance(1100)
      expect((await loginRequest(await startFlow(env, jar, clientId, { max_age: '3600' }))).skip).toBe(true)
      expect((await loginRequest(await startFlow(env, jar, clientId, { max_age: '0' }))).skip).toBe(false)
      const res = await browse(env, jar, authorizePath(clientId, { prompt: 'none', max_age: '0' }))
      expect(queryOf(String(res.headers.location)).get('error')).toBe('login_required')
    })

    it('checks an id_token_hint against the remembered login', async () => {
      const jar = new CookieJar()
      await fullFlow(env, jar, clientId, { login: { subject: 'grace', remember: true } })
      const now = Math.floor(Date.now() / 1000)
      const hint = (sub: string, exp = now + 60) =>
        env.registry.keyRing.sign(ID_TOKEN_SET, { sub, iss: env.registry.config.urls.self.issuer, aud: [clientId], iat: now, exp })
      const ok = await startFlow(env, jar, clientId, { id_token_hint: await hint('grace', now - 10) })
      const lr = await loginRequest(ok)
      expect(lr.skip).toBe(true)
      expect(lr.oidc_context.id_token_hint_claims.sub).toBe('grace')
      const res = await browse(env, jar, authorizePath(clientId, { id_token_hint: await hint('heidi') }))
      expect(queryOf(String(res.headers.location)).get('error')).toBe('login_required')
    })
  })
}
