// Where the authorization endpoint's errors go: the error page when the client or its redirect
// URI cannot be trusted, the client otherwise (RFC 6749 §4.1.2.1), and the flow's own refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cookieSuffix } from '../../src/flow/cookies.js'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  REDIRECT_URI,
  STATE,
  acceptConsent,
  acceptLogin,
  adminCall,
  authorizePath,
  browse,
  createClient,
  startFlow,
  toClient,
  toConsent,
} from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`authorization endpoint errors on ${t.name}`, () => {
    let env: TestApps
    let clientId: string
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
      clientId = (await createClient(env)).client_id
    })
    afterAll(async () => env.close())

    const errorPage = (location: string) => {
      expect(location.startsWith(env.registry.config.urls.error), location).toBe(true)
      expect(location.startsWith(REDIRECT_URI)).toBe(false)
      return queryOf(location)
    }

    it('shows an unknown client on the error page, never at the redirect URI', async () => {
      const res = await browse(env, new CookieJar(), authorizePath('no-such-client'))
      expect(res.statusCode).toBe(302)
      const q = errorPage(String(res.headers.location))
      expect(q.get('error')).toBe('invalid_client')
      expect(q.get('error_description')).toContain('does not exist')

      const page = await browse(env, new CookieJar(), String(res.headers.location))
      expect(page.statusCode).toBe(400)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.body).toContain('invalid_client')
    })

    it('shows a redirect_uri mismatch on the error page, with no prefix matching', async () => {
      for (const uri of ['https://evil.example.com/cb', `${REDIRECT_URI}/more`, `${REDIRECT_URI}?x=1`, `${REDIRECT_URI}#frag`]) {
        const res = await browse(env, new CookieJar(), authorizePath(clientId, { redirect_uri: uri }))
        expect(res.statusCode).toBe(302)
        expect(errorPage(String(res.headers.location)).get('error')).toBe('invalid_request')
      }
    })

    it('sends errors about a request with a trusted redirect URI to the client, with state and iss', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ state: 'short' }, 'invalid_state'],
        [{ scope: 'openid admin' }, 'invalid_scope'],
        [{ prompt: 'none login' }, 'invalid_request'],
        [{ prompt: 'bogus' }, 'invalid_request'],
        [{ max_age: '-1' }, 'invalid_request'],
        [{ claims: '[1]' }, 'invalid_request'],
        [{ code_challenge: 'abc', code_challenge_method: 'S256' }, 'invalid_request'],
        [{ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
        [{ audience: 'https://not-allowed.example' }, 'invalid_request'],
        [{ prompt: 'none' }, 'login_required'],
        [{ id_token_hint: 'not-a-jwt' }, 'invalid_request'],
      ]
      for (const [extra, error] of cases) {
        const res = await browse(env, new CookieJar(), authorizePath(clientId, extra))
        expect(res.statusCode, JSON.stringify(extra)).toBe(303)
        const location = String(res.headers.location)
        expect(location.startsWith(`${REDIRECT_URI}?`), location).toBe(true)
        const q = queryOf(location)
        expect(q.get('error'), JSON.stringify(extra)).toBe(error)
        expect(q.get('state')).toBe(extra.state ?? STATE)
        expect(q.get('iss')).toBe(env.registry.config.urls.self.issuer)
      }
    })

    it('delivers errors in the fragment or by form post when asked to', async () => {
      const frag = await browse(env, new CookieJar(), authorizePath(clientId, { response_mode: 'fragment', state: 'x' }))
      expect(String(frag.headers.location)).toMatch(new RegExp(`^${REDIRECT_URI}#.*error=invalid_state`))
      const post = await browse(env, new CookieJar(), authorizePath(clientId, { response_mode: 'form_post', state: 'x' }))
      expect(post.statusCode).toBe(200)
      expect(post.body).toContain(`action="${REDIRECT_URI}"`)
      expect(post.body).toContain('name="error" value="invalid_state"')
      const bad = await browse(env, new CookieJar(), authorizePath(clientId, { response_mode: 'jwt' }))
      expect(errorPage(String(bad.headers.location)).get('error')).toBe('unsupported_response_mode')
    })

    it('accepts the request as a POSTed form', async () => {
      const body = new URLSearchParams(authorizePath(clientId).split('?')[1]).toString()
      const res = await env.public.inject({
        method: 'POST',
        url: '/oauth2/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      })
      expect(res.statusCode).toBe(302)
      expect(queryOf(String(res.headers.location)).get('login_challenge')).toBeTruthy()
    })

    it('turns a login rejection into access_denied, or the error the login app chose', async () => {
      for (const [body, error] of [
        [{}, 'access_denied'],
        [{ error: 'login_required', error_description: 'Nope.' }, 'login_required'],
      ] as const) {
        const jar = new CookieJar()
        const challenge = await startFlow(env, jar, clientId)
        const res = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${challenge}`, body)
        expect(res.statusCode).toBe(200)
        const q = await toClient(env, jar, res.json().redirect_to)
        expect(q.get('error')).toBe(error)
        expect(q.get('state')).toBe(STATE)
        if (error === 'login_required') expect(q.get('error_description')).toBe('Nope.')
      }
    })

    it('turns a consent rejection into access_denied', async () => {
      const jar = new CookieJar()
      const consent = await toConsent(env, jar, await acceptLogin(env, await startFlow(env, jar, clientId)))
      const res = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${consent}`, {})
      expect(res.statusCode).toBe(200)
      const q = await toClient(env, jar, res.json().redirect_to)
      expect(q.get('error')).toBe('access_denied')
      expect(q.get('code')).toBeNull()
    })

    it('binds the login verifier to the browser that started the flow', async () => {
      const jar = new CookieJar()
      const verifierUrl = await acceptLogin(env, await startFlow(env, jar, clientId))
      const csrf = `${env.registry.config.serve.cookies.names.login_csrf}_${cookieSuffix(clientId)}`

      const bare = await browse(env, new CookieJar(), verifierUrl)
      expect(queryOf(String(bare.headers.location)).get('error')).toBe('request_forbidden')

      // Another browser's own, validly signed CSRF cookie does not fit this flow.
      const other = new CookieJar()
      await startFlow(env, other, clientId)
      const stranger = await browse(env, other, verifierUrl)
      expect(queryOf(String(stranger.headers.location)).get('error')).toBe('request_forbidden')

      const forged = jar.clone()
      forged.set(csrf, `${'0'.repeat(32)}.AAAA`)
      const tampered = await browse(env, forged, verifierUrl)
      expect(queryOf(String(tampered.headers.location)).get('error')).toBe('request_forbidden')

      // The failed attempts did not use the verifier up: the right browser still gets through.
      await toConsent(env, jar, verifierUrl)
    })

    it('binds the consent verifier to the browser too', async () => {
      const jar = new CookieJar()
      const consent = await toConsent(env, jar, await acceptLogin(env, await startFlow(env, jar, clientId)))
      const verifierUrl = await acceptConsent(env, consent)
      const q = await toClient(env, new CookieJar(), verifierUrl)
      expect(q.get('error')).toBe('request_forbidden')
      expect((await toClient(env, jar, verifierUrl)).get('code')).toBeTruthy()
    })

    it('refuses a verifier that was altered or belongs to another client', async () => {
      const jar = new CookieJar()
      const verifierUrl = await acceptLogin(env, await startFlow(env, jar, clientId))
      const url = new URL(verifierUrl)
      const verifier = url.searchParams.get('login_verifier') ?? ''
      url.searchParams.set('login_verifier', `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}`)
      expect((await toClient(env, jar, url.href)).get('error')).toBe('access_denied')

      const otherClient = await createClient(env)
      url.searchParams.set('login_verifier', verifier)
      url.searchParams.set('client_id', otherClient.client_id)
      expect((await toClient(env, jar, url.href)).get('error')).toBe('invalid_client')
    })
  })

  describe(`expired flows on ${t.name}`, () => {
    let env: TestApps
    const clock = testClock()
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, TTL_LOGIN_CONSENT_REQUEST: '1s' }, { clock })
    })
    afterAll(async () => env.close())

    it('refuses challenges and verifiers once ttl.login_consent_request has passed', async () => {
      const { client_id } = await createClient(env)
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, client_id)
      const verifierUrl = await acceptLogin(env, challenge)
      clock.advance(2100)
      const get = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)
      expect(get.statusCode).toBe(401)
      expect(get.json().error).toBe('request_unauthorized')
      const accept = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, { subject: 'u' })
      expect(accept.statusCode).toBe(401)
      const q = await toClient(env, jar, verifierUrl)
      expect(q.get('error')).toBe('request_unauthorized')
      expect(q.get('error_description')).toContain('expired')
    })
  })
}
