// The device authorization grant (RFC 8628) through the official @ory/hydra-client SDK over real
// sockets, on every configured database: oAuth2DeviceFlow starts it, performOAuth2DeviceVerificationFlow
// is the browser's first step, acceptUserCodeRequest is the verification app's call, and the
// device polls the token endpoint. The "browser" is fetch with manual redirects and a cookie jar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Configuration, OAuth2Api, OidcApi, type DeviceAuthorization } from '@ory/hydra-client'
import { DEVICE_CODE_GRANT_TYPE } from '../../src/oauth2/device-code.js'
import { CookieJar } from '../support/browser.js'
import { testClock } from '../support/clock.js'
import { testDatabases } from '../support/databases.js'
import { visit as visitAt } from '../support/fetch-browser.js'
import { CONSENT_URL, DEVICE_DONE, DEVICE_ENV, DEVICE_UI, LOGIN_URL, USER_CODE_FORMAT } from '../support/flow.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

interface Client {
  id: string
  secret: string
}
type Failure = { status: number; data: { error?: string; error_description?: string } }
/** The HTTP answer of a call the SDK rejected, or undefined when it succeeded. */
const failureOf = (p: Promise<unknown>): Promise<Failure | undefined> =>
  p.then(
    () => undefined,
    (e: { response?: Failure }) => e.response,
  )

for (const t of testDatabases()) {
  describe(`device authorization grant with @ory/hydra-client on ${t.name}`, () => {
    let running: SocketServer
    let admin: OAuth2Api
    let pub: OAuth2Api
    let publicUrl: string
    const clock = testClock()

    beforeAll(async () => {
      running = await startSocketServer(t, DEVICE_ENV, { clock })
      publicUrl = running.publicUrl
      admin = running.api
      pub = new OAuth2Api(new Configuration({ basePath: publicUrl }))
    })
    afterAll(async () => {
      await running?.close()
    })

    const visit = (jar: CookieJar, url: string) => visitAt(jar, url, undefined, publicUrl)
    const basic = (c: Client) => `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`

    async function newClient(): Promise<Client> {
      const { data } = await admin.createOAuth2Client({
        oAuth2Client: { client_name: 'SDK TV', grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'], scope: 'openid offline' },
      })
      return { id: data.client_id ?? '', secret: data.client_secret ?? '' }
    }

    /** oAuth2DeviceFlow declares no parameters: the RFC 8628 form goes in as the request options. */
    const deviceFlow = (c: Client, form: Record<string, string> = { scope: 'openid offline' }) =>
      pub.oAuth2DeviceFlow({
        data: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c) },
      })

    /** performOAuth2DeviceVerificationFlow as a browser's first request; returns the device challenge. */
    async function openVerification(jar: CookieJar, auth: DeviceAuthorization, complete: boolean): Promise<string> {
      const res = await pub.performOAuth2DeviceVerificationFlow({
        maxRedirects: 0,
        validateStatus: (s) => s === 302,
        ...(complete ? { params: { user_code: auth.user_code } } : {}),
      })
      const setCookie = res.headers['set-cookie']
      jar.store(Array.isArray(setCookie) ? setCookie : undefined)
      const location = String(res.headers['location'])
      expect(location.startsWith(`${DEVICE_UI}?`), location).toBe(true)
      const q = new URL(location).searchParams
      expect(q.get('user_code')).toBe(complete ? auth.user_code : null)
      return q.get('device_challenge') ?? ''
    }

    const poll = async (c: Client, deviceCode: string) => {
      const res = await fetch(new URL('/oauth2/token', publicUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c) },
        body: new URLSearchParams({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode }),
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }

    it('discovery names the device authorization endpoint the SDK calls', async () => {
      const { data } = await new OidcApi(new Configuration({ basePath: publicUrl })).discoverOidcConfiguration()
      expect(data.device_authorization_endpoint).toMatch(/\/oauth2\/device\/auth$/)
      expect(data.grant_types_supported).toContain(DEVICE_CODE_GRANT_TYPE)
    })

    it('starts, verifies the user code, logs in, consents; the device then gets tokens', async () => {
      const client = await newClient()
      const { data: auth, status, headers } = await deviceFlow(client)
      expect(status).toBe(200)
      expect(headers['cache-control']).toBe('no-store')
      expect(auth.device_code).toMatch(/^ory_dc_/)
      expect(auth.user_code).toMatch(USER_CODE_FORMAT)
      expect(auth.verification_uri).toMatch(/\/oauth2\/device\/verify$/)
      expect(auth.verification_uri_complete).toBe(`${auth.verification_uri}?user_code=${auth.user_code}`)
      expect(auth).toMatchObject({ interval: 1 })
      expect(auth.expires_in).toBeGreaterThan(0)
      const deviceCode = auth.device_code ?? ''
      expect(await poll(client, deviceCode)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } })

      const jar = new CookieJar()
      const deviceChallenge = await openVerification(jar, auth, true)
      const { data: accepted, status: acceptStatus } = await admin.acceptUserCodeRequest({
        deviceChallenge,
        acceptDeviceUserCodeRequest: { user_code: auth.user_code ?? '' },
      })
      expect(acceptStatus).toBe(200)
      expect(accepted.redirect_to).toContain('/oauth2/device/verify?device_verifier=')

      const toLogin = await visit(jar, accepted.redirect_to)
      expect(toLogin.location.startsWith(`${LOGIN_URL}?`), toLogin.location).toBe(true)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
      const { data: loginRequest } = await admin.getOAuth2LoginRequest({ loginChallenge })
      expect(loginRequest.client.client_id).toBe(client.id)
      expect(loginRequest.requested_scope).toEqual(['openid', 'offline'])
      const { data: loggedIn } = await admin.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'sdk-device-user' } })
      const toConsent = await visit(jar, loggedIn.redirect_to)
      expect(toConsent.location.startsWith(`${CONSENT_URL}?`), toConsent.location).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: granted } = await admin.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: { grant_scope: ['openid', 'offline'] },
      })
      const done = await visit(jar, granted.redirect_to)
      expect(done.location).toBe(DEVICE_DONE)

      // The challenge was used: accepting a code for it again is a conflict.
      const again = await failureOf(admin.acceptUserCodeRequest({ deviceChallenge, acceptDeviceUserCodeRequest: { user_code: auth.user_code ?? '' } }))
      expect(again?.status).toBe(409)
      expect(typeof again?.data.error).toBe('string')

      // The polling interval (1 s) has passed since the first poll.
      clock.advance(1100)
      const tokens = await poll(client, deviceCode)
      expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
      expect(tokens.body).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
      expect(String(tokens.body['refresh_token'])).toMatch(/^ory_rt_/)
      expect(String(tokens.body['id_token'])).toMatch(/^eyJ/)
      const { data: info } = await admin.introspectOAuth2Token({ token: String(tokens.body['access_token']) })
      expect(info).toMatchObject({ active: true, sub: 'sdk-device-user', client_id: client.id })

      // The device code is spent.
      clock.advance(1100)
      expect((await poll(client, deviceCode)).status).toBe(400)
    })

    it('refuses a wrong user code with a 400 the SDK surfaces, then accepts the right one', async () => {
      const client = await newClient()
      const { data: auth } = await deviceFlow(client)
      const deviceChallenge = await openVerification(new CookieJar(), auth, false)
      const wrong = await failureOf(admin.acceptUserCodeRequest({ deviceChallenge, acceptDeviceUserCodeRequest: { user_code: 'BBBB-BBBB' } }))
      expect(wrong?.status).toBe(400)
      expect(wrong?.data.error).toBe('invalid_request')
      expect(wrong?.data.error_description).toContain('4 attempt(s) left')
      // The SDK's body is optional; without one there is no code to check.
      const bodiless = await failureOf(admin.acceptUserCodeRequest({ deviceChallenge }))
      expect(bodiless?.status).toBe(400)
      expect(bodiless?.data.error).toBe('invalid_request')
      const { data: ok } = await admin.acceptUserCodeRequest({
        deviceChallenge,
        acceptDeviceUserCodeRequest: { user_code: (auth.user_code ?? '').replace('-', '').toLowerCase() },
      })
      expect(ok.redirect_to).toContain('device_verifier=')
    })

    it('answers an unknown or forged device challenge with a 4xx error', async () => {
      for (const deviceChallenge of ['no-such-challenge', '']) {
        const res = await failureOf(admin.acceptUserCodeRequest({ deviceChallenge, acceptDeviceUserCodeRequest: { user_code: 'BCDF-GHJK' } }))
        expect(res?.status).toBeGreaterThanOrEqual(400)
        expect(res?.status).toBeLessThan(500)
        expect(typeof res?.data.error).toBe('string')
      }
    })

    it('oAuth2DeviceFlow surfaces the OAuth error of a client without the grant', async () => {
      const { data } = await admin.createOAuth2Client({ oAuth2Client: { grant_types: ['client_credentials'], scope: 'openid' } })
      const res = await failureOf(deviceFlow({ id: data.client_id ?? '', secret: data.client_secret ?? '' }, { scope: 'openid' }))
      expect(res?.status).toBe(400)
      expect(res?.data.error).toBe('unauthorized_client')
    })
  })
}
