// RFC 8628 end to end in-process, on every configured database: the device authorization
// endpoint, the browser through /oauth2/device/verify, the user code at the admin API, the normal
// login and consent flow, and the device polling the token endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { DEVICE_CODE_GRANT_TYPE } from '../../src/oauth2/device-code.js'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { pathOf, queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CONSENT_URL,
  CookieJar,
  DEVICE_DONE,
  DEVICE_ENV,
  DEVICE_UI,
  FLOW_ENV,
  LOGIN_URL,
  USER_CODE_FORMAT,
  acceptConsent,
  acceptLogin,
  adminCall,
  browse,
  createClient,
  toConsent,
  type TestClient,
} from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

interface DeviceAuth {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

for (const t of testDatabases()) {
  describe(`device authorization grant on ${t.name}`, () => {
    let env: TestApps
    const clock = testClock()
    beforeAll(async () => {
      env = await testApps(t, DEVICE_ENV, { clock })
    })
    afterAll(async () => env.close())

    const deviceClient = (extra: Record<string, unknown> = {}) =>
      createClient(env, {
        grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [],
        audience: ['https://api.example.com'],
        ...extra,
      })

    async function deviceAuth(client: TestClient, form: Record<string, string> = { scope: 'openid offline' }) {
      return env.public.inject({
        method: 'POST',
        url: '/oauth2/device/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(client.client_secret ? basic(client) : {}) },
        payload: new URLSearchParams({ ...(client.client_secret ? {} : { client_id: client.client_id }), ...form }).toString(),
      })
    }

    async function start(client: TestClient, form?: Record<string, string>): Promise<DeviceAuth> {
      const res = await deviceAuth(client, form)
      expect(res.statusCode, res.body).toBe(200)
      return res.json() as DeviceAuth
    }

    const poll = (client: TestClient, deviceCode: string) =>
      tokenCall(
        env,
        { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode, ...(client.client_secret ? {} : { client_id: client.client_id }) },
        client.client_secret ? basic(client) : {},
      )

    /** A poll the token endpoint refuses with 400 and `error`; the response, for more checks. */
    async function pollRefused(client: TestClient, deviceCode: string, error: string) {
      const res = await poll(client, deviceCode)
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error })
      return res
    }

    /** The browser opens the verification URI and lands on the device UI with a challenge. */
    async function openVerification(jar: CookieJar, url: string): Promise<{ challenge: string; userCode: string | null }> {
      const res = await browse(env, jar, pathOf(url))
      expect(res.statusCode).toBe(302)
      const location = String(res.headers.location)
      expect(location.startsWith(`${DEVICE_UI}?`), location).toBe(true)
      const q = queryOf(location)
      return { challenge: q.get('device_challenge') as string, userCode: q.get('user_code') }
    }

    const submitCode = (challenge: string, userCode: string) =>
      adminCall(env, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${encodeURIComponent(challenge)}`, {
        user_code: userCode,
      })

    /** The browser opens the verification URI and the code is entered: where the browser goes next. */
    async function enterCode(jar: CookieJar, auth: DeviceAuth): Promise<string> {
      const { challenge } = await openVerification(jar, auth.verification_uri)
      return (await submitCode(challenge, auth.user_code)).json().redirect_to as string
    }

    /** From the device verifier through login to the consent challenge. */
    async function toDeviceConsent(jar: CookieJar, redirectTo: string): Promise<string> {
      const res = await browse(env, jar, redirectTo)
      expect(res.statusCode, res.headers.location).toBe(302)
      const location = String(res.headers.location)
      expect(location.startsWith(LOGIN_URL), location).toBe(true)
      const login = queryOf(location).get('login_challenge') as string
      return toConsent(env, jar, await acceptLogin(env, login, { subject: 'device-user' }))
    }

    /** Everything the person does in the browser; returns the final redirect's location. */
    async function approve(auth: DeviceAuth, jar = new CookieJar(), consent: Record<string, unknown> = { grant_scope: ['openid', 'offline'] }) {
      const { challenge } = await openVerification(jar, auth.verification_uri)
      // Typed sloppily: lower case, no dash.
      const accepted = await submitCode(challenge, auth.user_code.replace('-', '').toLowerCase())
      expect(accepted.statusCode, accepted.body).toBe(200)
      const redirectTo = (accepted.json() as { redirect_to: string }).redirect_to
      expect(redirectTo.startsWith(`${env.registry.config.urls.self.public}oauth2/device/verify?device_verifier=`)).toBe(true)
      const consentChallenge = await toDeviceConsent(jar, redirectTo)
      const done = await browse(env, jar, await acceptConsent(env, consentChallenge, consent))
      expect(done.statusCode).toBe(302)
      return String(done.headers.location)
    }

    it('issues device and user codes in the RFC 8628 shape', async () => {
      const client = await deviceClient()
      const auth = await start(client, { scope: 'openid offline', audience: 'https://api.example.com' })
      expect(auth.device_code.startsWith('ory_dc_')).toBe(true)
      expect(auth.user_code).toMatch(USER_CODE_FORMAT)
      expect(auth.verification_uri).toBe(`${env.registry.config.urls.self.public}oauth2/device/verify`)
      expect(queryOf(auth.verification_uri_complete).get('user_code')).toBe(auth.user_code)
      expect(auth.expires_in).toBe(600)
      expect(auth.interval).toBe(1)
      // Only signatures are stored.
      const rows = await env.registry.db.kysely.selectFrom('hydra_oauth2_device_auth_codes').selectAll().where('client_id', '=', client.client_id).execute()
      expect(rows).toHaveLength(1)
      const dump = JSON.stringify(rows)
      expect(dump).not.toContain(auth.device_code.slice(7, 30))
      expect(dump).not.toContain(auth.user_code.replace('-', ''))
    })

    it('walks the browser through login and consent and then issues tokens exactly once', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      await pollRefused(client, auth.device_code, 'authorization_pending')

      // verification_uri_complete hands the user code on to the device UI.
      const jar = new CookieJar()
      const { userCode } = await openVerification(jar.clone(), auth.verification_uri_complete)
      expect(userCode).toBe(auth.user_code)

      expect(await approve(auth, jar)).toBe(DEVICE_DONE)
      clock.advance(1100)
      const ok = await poll(client, auth.device_code)
      expect(ok.statusCode, ok.body).toBe(200)
      const body = ok.json() as Record<string, unknown>
      expect(body).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
      expect(typeof body.refresh_token).toBe('string')
      const id = decodeJwt(String(body.id_token))
      expect(id.sub).toBe('device-user')
      expect(id.aud).toContain(client.client_id)
      const info = await introspect(env, String(body.access_token))
      expect(info).toMatchObject({ active: true, sub: 'device-user', client_id: client.client_id, scope: 'openid offline' })

      // Redeemed: a replay is refused.
      clock.advance(1100)
      await pollRefused(client, auth.device_code, 'invalid_grant')
    })

    it('gives concurrent polls of an authorized code a single success', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      await approve(auth)
      const results = await Promise.all([0, 1, 2, 3].map(() => poll(client, auth.device_code)))
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1)
      // The others were either too late (already used) or too early after the winner (slow_down).
      for (const r of results.filter((x) => x.statusCode !== 200)) expect(['invalid_grant', 'slow_down']).toContain(r.json().error)
    })

    it('answers slow_down to polls faster than the interval, and the interval grows by 5 s', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      expect((await poll(client, auth.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
      const fast = await pollRefused(client, auth.device_code, 'slow_down')
      expect(String(fast.json().error_description)).toContain('6 seconds')
      // One second was enough before; now six are needed.
      clock.advance(1100)
      const again = await pollRefused(client, auth.device_code, 'slow_down')
      expect(String(again.json().error_description)).toContain('11 seconds')
      // Waiting out the grown interval is on time again.
      clock.advance(11_100)
      expect((await poll(client, auth.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
    })

    it('tells the device access_denied when the person rejects consent, and the browser sees the error', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      const jar = new CookieJar()
      const redirectTo = await enterCode(jar, auth)
      const consentChallenge = await toDeviceConsent(jar, redirectTo)
      const rejected = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
        error: 'access_denied',
      })
      expect(rejected.statusCode).toBe(200)
      const page = await browse(env, jar, rejected.json().redirect_to as string)
      expect(page.statusCode).toBe(302)
      expect(queryOf(String(page.headers.location)).get('error')).toBe('access_denied')
      await pollRefused(client, auth.device_code, 'access_denied')
    })

    it('tells the device access_denied when the login app rejects', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      const jar = new CookieJar()
      const redirectTo = await enterCode(jar, auth)
      const res = await browse(env, jar, redirectTo)
      const login = queryOf(String(res.headers.location)).get('login_challenge') as string
      const rejected = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${encodeURIComponent(login)}`, {})
      const page = await browse(env, jar, rejected.json().redirect_to as string)
      expect(queryOf(String(page.headers.location)).get('error')).toBe('access_denied')
      expect((await poll(client, auth.device_code)).json()).toMatchObject({ error: 'access_denied' })
    })

    it('answers expired_token after ttl.device_user_code, and refuses the expired user code', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      await env.registry.db.kysely
        .updateTable('hydra_oauth2_device_auth_codes')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('client_id', '=', client.client_id)
        .execute()
      await pollRefused(client, auth.device_code, 'expired_token')
      const { challenge } = await openVerification(new CookieJar(), auth.verification_uri)
      expect((await submitCode(challenge, auth.user_code)).statusCode).toBe(400)
    })

    it("refuses another client's device code and unknown codes with invalid_grant", async () => {
      const owner = await deviceClient()
      const other = await deviceClient()
      const auth = await start(owner)
      await pollRefused(other, auth.device_code, 'invalid_grant')
      for (const code of ['ory_dc_nonsense', `${auth.device_code.slice(0, -2)}AA`, 'x']) {
        expect((await poll(owner, code)).json()).toMatchObject({ error: 'invalid_grant' })
      }
      expect((await poll(owner, '')).json()).toMatchObject({ error: 'invalid_request' })
    })

    it('kills a device challenge after 5 wrong user codes; the right code then needs a new one', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      const jar = new CookieJar()
      const { challenge } = await openVerification(jar, auth.verification_uri)
      for (const [i, wrong] of ['BCDF-GHJK', 'nonsense', 'BBBB-BBBB', 'AAAA-AAAA', 'ZZZZ-ZZZZ'].entries()) {
        const res = await submitCode(challenge, wrong)
        expect(res.statusCode, res.body).toBe(400)
        expect(String(res.json().error_description)).toContain(i < 4 ? `${4 - i} attempt(s) left` : 'no attempts left')
      }
      const dead = await submitCode(challenge, auth.user_code)
      expect(dead.statusCode).toBe(403)
      expect(dead.json()).toMatchObject({ error: 'access_denied' })
      // The user code itself was not burned by the guessing.
      const fresh = await openVerification(jar, auth.verification_uri)
      expect((await submitCode(fresh.challenge, auth.user_code)).statusCode).toBe(200)
    })

    it('accepts a user code once', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      const a = await openVerification(new CookieJar(), auth.verification_uri)
      const b = await openVerification(new CookieJar(), auth.verification_uri)
      expect((await submitCode(a.challenge, auth.user_code)).statusCode).toBe(200)
      expect((await submitCode(b.challenge, auth.user_code)).statusCode).toBe(400)
      // And a challenge is used once.
      expect((await submitCode(a.challenge, auth.user_code)).statusCode).toBe(409)
    })

    it('refuses the device verifier without the CSRF cookie, without burning it', async () => {
      const client = await deviceClient()
      const auth = await start(client)
      const jar = new CookieJar()
      const redirectTo = await enterCode(jar, auth)
      const stranger = await browse(env, new CookieJar(), redirectTo)
      expect(stranger.statusCode).toBe(302)
      expect(queryOf(String(stranger.headers.location)).get('error')).toBe('request_forbidden')
      // The browser that started it carries on.
      const consentChallenge = await toDeviceConsent(jar, redirectTo)
      expect(consentChallenge).toBeTruthy()
      // A verifier is single use.
      const again = await browse(env, jar, redirectTo)
      expect(queryOf(String(again.headers.location)).get('error')).toBe('access_denied')
    })

    it('does not let a device flow verifier be redeemed at /oauth2/auth', async () => {
      const client = await deviceClient({ grant_types: [DEVICE_CODE_GRANT_TYPE, 'authorization_code'], redirect_uris: ['https://app.example.com/cb'] })
      const auth = await start(client)
      const jar = new CookieJar()
      const redirectTo = await enterCode(jar, auth)
      const res = await browse(env, jar, redirectTo)
      const login = queryOf(String(res.headers.location)).get('login_challenge') as string
      const loginVerifier = queryOf(await acceptLogin(env, login)).get('login_verifier') as string
      const params = new URLSearchParams({
        client_id: client.client_id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://app.example.com/cb',
        state: 'state-1234567890',
        login_verifier: loginVerifier,
      })
      const hijack = await browse(env, jar, `/oauth2/auth?${params.toString()}`)
      expect(String(hijack.headers.location)).not.toContain(CONSENT_URL)
      expect(queryOf(String(hijack.headers.location)).get('error')).toBe('access_denied')
    })

    it('authenticates clients like the token endpoint and validates scope, audience and grant', async () => {
      const pub = await deviceClient({ token_endpoint_auth_method: 'none' })
      const pubAuth = await start(pub)
      // A public client polls with its client_id alone.
      expect((await poll(pub, pubAuth.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
      const confidential = await deviceClient()
      const wrongSecret = await deviceAuth({ ...confidential, client_secret: 'wrong' })
      expect(wrongSecret.statusCode).toBe(401)
      expect(wrongSecret.json()).toMatchObject({ error: 'invalid_client' })
      expect((await deviceAuth(confidential, { scope: 'admin' })).json()).toMatchObject({ error: 'invalid_scope' })
      expect((await deviceAuth(confidential, { audience: 'https://evil.example.com' })).json()).toMatchObject({ error: 'invalid_request' })
      const noGrant = await createClient(env, { grant_types: ['authorization_code'] })
      const refused = await deviceAuth(noGrant)
      expect(refused.statusCode).toBe(400)
      expect(refused.json()).toMatchObject({ error: 'unauthorized_client' })
      const json = await env.public.inject({
        method: 'POST',
        url: '/oauth2/device/auth',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      })
      expect(json.statusCode).toBe(400)
      expect(json.json()).toMatchObject({ error: 'invalid_request' })
    })

    it('limits new device challenges per client address', async () => {
      const from = (remoteAddress: string) =>
        env.public.inject({ method: 'GET', url: '/oauth2/device/verify', remoteAddress }).then((r) => String(r.headers.location))
      for (let i = 0; i < 60; i++) expect(await from('192.0.2.7')).toContain(DEVICE_UI)
      const refused = await from('192.0.2.7')
      expect(queryOf(refused).get('error')).toBe('temporarily_unavailable')
      expect(await from('192.0.2.8')).toContain(DEVICE_UI)
    })

    it('checks the admin accept request', async () => {
      expect((await adminCall(env, 'PUT', '/admin/oauth2/auth/requests/device/accept', { user_code: 'BCDF-GHJK' })).statusCode).toBe(400)
      expect((await adminCall(env, 'PUT', '/admin/oauth2/auth/requests/device/accept?device_challenge=forged', { user_code: 'BCDF-GHJK' })).statusCode).toBe(404)
      const { challenge } = await openVerification(new CookieJar(), `${env.registry.config.urls.self.public}oauth2/device/verify`)
      expect((await submitCode(challenge, '')).statusCode).toBe(400)
      const extra = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${encodeURIComponent(challenge)}`, {
        user_code: 'BCDF-GHJK',
        other: 1,
      })
      expect(extra.statusCode).toBe(400)
    })

    it("serves Hydra's fallback pages when no device pages are configured", async () => {
      const bare = await testApps(t, FLOW_ENV)
      try {
        for (const [path, key] of [['/oauth2/fallbacks/device', 'urls.device.verification'], ['/oauth2/fallbacks/device/done', 'urls.device.success']]) {
          const res = await bare.public.inject({ method: 'GET', url: path as string })
          expect(res.statusCode).toBe(200)
          expect(res.body).toContain(key)
        }
        const start = await bare.public.inject({ method: 'GET', url: '/oauth2/device/verify' })
        expect(String(start.headers.location).startsWith(`${bare.registry.config.urls.self.public}oauth2/fallbacks/device?device_challenge=`)).toBe(true)
      } finally {
        await bare.close()
      }
    })

    it('advertises the device authorization endpoint and grant in discovery', async () => {
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      expect(doc.device_authorization_endpoint).toBe(`${env.registry.config.urls.self.public}oauth2/device/auth`)
      expect(doc.grant_types_supported).toContain(DEVICE_CODE_GRANT_TYPE)
    })
  })
}
