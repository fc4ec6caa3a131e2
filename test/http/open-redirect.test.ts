// Open-redirect attempts on every parameter that decides where a browser is sent (OAuth 2.0
// Security BCP §4.1, RFC 6749 §10.15, RP-Initiated Logout 1.0 §3): whatever the request says, a
// Location never names a host the client did not register. In-process, on SQLite only (the rules
// live above the stores).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { CookieJar, queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CONSENT_URL,
  FLOW_ENV,
  LOGIN_URL,
  REDIRECT_URI,
  STATE,
  acceptConsent,
  acceptLogin,
  adminCall,
  authorizePath,
  browse,
  createClient,
  startFlow,
  toConsent,
  type TestClient,
} from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

const LOGOUT_URL = 'https://logout.example.com/logout'
const POST_LOGOUT = 'https://app.example.com/logged-out'
const OTHER_POST_LOGOUT = 'https://other.example.com/logged-out'
const LOOPBACK = 'http://127.0.0.1/cb'
const sqlite = testDatabases().find((t) => t.name === 'sqlite')
if (!sqlite) throw new Error('SQLite test database missing')

/** Every redirect_uri an attacker might try instead of the registered https://app.example.com/cb. */
const HOSTILE_REDIRECT_URIS = [
  'https://evil.example/cb',
  'https://app.example.com@evil.example/cb',
  'https://app.example.com:443@evil.example/cb',
  'https://app.example.com.evil.example/cb',
  'https://app.example.com%2F@evil.example/cb',
  'https://app.example.com\\@evil.example/cb',
  'https://evil.example/cb?https://app.example.com/cb',
  'https://evil.example/https://app.example.com/cb',
  '//evil.example/cb',
  '/\\evil.example/cb',
  'http://app.example.com/cb',
  'https://app.example.com:8443/cb',
  'https://app.example.com:443/cb',
  `${REDIRECT_URI}/more`,
  `${REDIRECT_URI}x`,
  `${REDIRECT_URI}/../cb`,
  `${REDIRECT_URI}/..%2f..%2f@evil.example`,
  'https://APP.example.com/cb',
  'HTTPS://app.example.com/cb',
  'https://app.example.com/CB',
  `${REDIRECT_URI}/`,
  'https://app.example.com/%63b',
  'https://app.example.com%2ecom/cb',
  `${REDIRECT_URI}#@evil.example`,
  `${REDIRECT_URI}#frag`,
  `${REDIRECT_URI}?x=1`,
  `${REDIRECT_URI}?redirect_uri=https://evil.example/`,
  `${REDIRECT_URI}%23@evil.example`,
  `${REDIRECT_URI}%3F@evil.example`,
  ` ${REDIRECT_URI}`,
  `${REDIRECT_URI}\n`,
  'javascript:alert(document.domain)//https://app.example.com/cb',
  'data:text/html,<script>alert(1)</script>',
]

/** Loopback tricks on a client that registered http://127.0.0.1/cb (any port is allowed, RFC 8252 §7.3). */
const HOSTILE_LOOPBACK_URIS = [
  'http://127.0.0.1@evil.example/cb',
  'http://127.0.0.1:8080@evil.example/cb',
  'http://127.0.0.1.evil.example/cb',
  'http://127.0.0.1:99999/cb',
  'http://127.0.0.1:8080/cb/more',
  'http://127.0.0.1:8080/cb?x=1',
  'http://127.0.0.1:8080/cb#x',
  'http://localhost:8080/cb',
  'https://127.0.0.1:8080/cb',
  'http://127.0.0.2:8080/cb',
  'http://[::1]:8080/cb',
]

describe('open redirects', () => {
  let env: TestApps
  let client: TestClient
  let errorUrl: string
  beforeAll(async () => {
    env = await testApps(sqlite, { ...FLOW_ENV, URLS_LOGOUT: LOGOUT_URL })
    errorUrl = env.registry.config.urls.error
    client = await createClient(env, {
      post_logout_redirect_uris: [POST_LOGOUT],
      response_types: ['code', 'code id_token', 'id_token', 'token'],
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    })
  })
  afterAll(async () => env.close())

  /** The Location of a redirect, which must go to the error page and nowhere near evil.example. */
  function expectErrorPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string): URLSearchParams {
    expect(res.statusCode, `${what}: ${res.body}`).toBe(302)
    const location = String(res.headers.location)
    expect(location.startsWith(errorUrl), `${what} -> ${location}`).toBe(true)
    expect(new URL(location).host).toBe(new URL(errorUrl).host)
    // Not even as the error page's own target: the page never gets a redirect_uri to follow.
    expect(queryOf(location).has('redirect_uri'), `${what} -> ${location}`).toBe(false)
    return queryOf(location)
  }

  for (const responseMode of [undefined, 'query', 'fragment', 'form_post']) {
    it(`never sends an unregistered redirect_uri anywhere (response_mode=${responseMode ?? 'default'})`, async () => {
      for (const uri of HOSTILE_REDIRECT_URIS) {
        for (const responseType of ['code', 'code id_token']) {
          const extra: Record<string, string> = { redirect_uri: uri, response_type: responseType, nonce: 'nonce-1234567890' }
          if (responseMode) extra.response_mode = responseMode
          const res = await browse(env, new CookieJar(), authorizePath(client.client_id, extra))
          expect(res.body).not.toContain('evil.example')
          expect(res.body).not.toContain('<form')
          expectErrorPage(res, `redirect_uri=${JSON.stringify(uri)}`)
        }
      }
    })
  }

  it('refuses errors that would otherwise go to the client when the redirect_uri is not registered', async () => {
    // Each of these is an error the client would normally hear about (RFC 6749 §4.1.2.1) — but
    // not at an unregistered URI.
    const failures: Array<Record<string, string>> = [
      { scope: 'openid admin-everything' },
      { response_type: 'code unknown' },
      { response_mode: 'nonsense' },
      { prompt: 'none' },
      { code_challenge_method: 'S256' },
      { max_age: '-1' },
    ]
    for (const f of failures) {
      const res = await browse(env, new CookieJar(), authorizePath(client.client_id, { redirect_uri: 'https://evil.example/cb', ...f }))
      expectErrorPage(res, JSON.stringify(f))
    }
    // An unknown client never redirects to the redirect_uri it names.
    const unknown = await browse(env, new CookieJar(), authorizePath('no-such-client', { redirect_uri: 'https://evil.example/cb' }))
    expect(expectErrorPage(unknown, 'unknown client').get('error')).toBe('invalid_client')
    // Nor does a repeated redirect_uri, whichever copy is registered.
    for (const pair of [[REDIRECT_URI, 'https://evil.example/cb'], ['https://evil.example/cb', REDIRECT_URI]]) {
      const q = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', state: STATE })
      for (const p of pair) q.append('redirect_uri', p)
      expectErrorPage(await browse(env, new CookieJar(), `/oauth2/auth?${q.toString()}`), `redirect_uri twice ${pair.join(' ')}`)
    }
  })

  it('sends errors about a registered redirect_uri back to it, and only to it', async () => {
    const res = await browse(env, new CookieJar(), authorizePath(client.client_id, { scope: 'openid admin-everything' }))
    expect(res.statusCode).toBe(303)
    const location = new URL(String(res.headers.location))
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
    expect(location.searchParams.get('error')).toBe('invalid_scope')
  })

  it('never answers a loopback client at a look-alike of its loopback redirect_uri', async () => {
    const native = await createClient(env, { redirect_uris: [LOOPBACK], token_endpoint_auth_method: 'none' })
    for (const uri of HOSTILE_LOOPBACK_URIS) {
      const res = await browse(env, new CookieJar(), authorizePath(native.client_id, { redirect_uri: uri }))
      expectErrorPage(res, `loopback redirect_uri=${JSON.stringify(uri)}`)
    }
    // The one legitimate variation (another port) is accepted and goes to login.
    const ok = await browse(env, new CookieJar(), authorizePath(native.client_id, { redirect_uri: 'http://127.0.0.1:51234/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }))
    expect(ok.statusCode, String(ok.headers.location)).toBe(302)
    expect(String(ok.headers.location).startsWith(LOGIN_URL)).toBe(true)
  })

  it('shows the error page without ever redirecting, whatever its query says', async () => {
    const hostile = new URLSearchParams({
      error: 'invalid_request',
      error_description: '<script>alert(1)</script>',
      redirect_uri: 'https://evil.example/cb',
      redirect_to: 'https://evil.example/',
      return_to: 'https://evil.example/',
      next: 'https://evil.example/',
    })
    const res = await browse(env, new CookieJar(), `/oauth2/fallbacks/error?${hostile.toString()}`)
    expect(res.statusCode).toBe(400)
    expect(res.headers.location).toBeUndefined()
    expect(res.headers.refresh).toBeUndefined()
    expect(res.body).not.toContain('<script>alert(1)')
    expect(res.body).not.toMatch(/http-equiv=["']?refresh/i)
    expect(res.body).not.toMatch(/(href|src|action)=["']https:\/\/evil\.example/i)
  })

  it('builds login and consent redirect_to from the stored request, not from request parameters or headers', async () => {
    const issuer = env.registry.config.urls.self.issuer
    const authorize = new URL('oauth2/auth', issuer.endsWith('/') ? issuer : `${issuer}/`).href
    const jar = new CookieJar()
    // Parameters and headers an attacker might hope end up in redirect_to.
    const extra = { redirect_to: 'https://evil.example/', return_to: 'https://evil.example/', login_redirect: 'https://evil.example/' }
    const first = await env.public.inject({
      method: 'GET',
      url: authorizePath(client.client_id, extra),
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' },
    })
    jar.store(first.headers['set-cookie'])
    expect(first.statusCode).toBe(302)
    const toLogin = String(first.headers.location)
    expect(toLogin.startsWith(`${LOGIN_URL}?`), toLogin).toBe(true)
    expect([...queryOf(toLogin).keys()]).toEqual(['login_challenge'])
    const challenge = queryOf(toLogin).get('login_challenge') ?? ''

    const lr = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)
    expect(new URL((lr.json() as { request_url: string }).request_url).origin).toBe(new URL(authorize).origin)

    // Extra fields in the accept body cannot choose the redirect either.
    const accepted = await env.admin.inject({
      method: 'PUT',
      url: `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`,
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      payload: { subject: 'user-1', redirect_to: 'https://evil.example/', request_url: 'https://evil.example/' },
    })
    if (accepted.statusCode === 200) {
      const loginRedirect = (accepted.json() as { redirect_to: string }).redirect_to
      expect(loginRedirect.startsWith(`${authorize}?`), loginRedirect).toBe(true)
      expect(loginRedirect).not.toContain('evil.example/?')
      expect(new URL(loginRedirect).host).toBe(new URL(authorize).host)
    } else {
      expect(accepted.statusCode, accepted.body).toBe(400)
    }

    const redirectTo = await acceptLogin(env, challenge)
    expect(new URL(redirectTo).origin).toBe(new URL(authorize).origin)
    const consentChallenge = await toConsent(env, jar, redirectTo)
    const consentRedirect = await acceptConsent(env, consentChallenge)
    expect(new URL(consentRedirect).origin).toBe(new URL(authorize).origin)
    expect(new URL(consentRedirect).pathname).toBe(new URL(authorize).pathname)

    // Swapping the redirect_uri in the verifier URL the browser follows does not redirect there.
    const tampered = new URL(consentRedirect)
    tampered.searchParams.set('redirect_uri', 'https://evil.example/cb')
    const swapped = await browse(env, jar, `${tampered.pathname}${tampered.search}`)
    expect(String(swapped.headers.location ?? '')).not.toContain('evil.example')
    // Appending a second one neither.
    const appended = new URL(consentRedirect)
    appended.searchParams.append('redirect_uri', 'https://evil.example/cb')
    const twice = await browse(env, jar, `${appended.pathname}${appended.search}`)
    expect(String(twice.headers.location ?? '')).not.toContain('evil.example')
  })

  it('sends the consent verifier answer to the registered redirect_uri only', async () => {
    const jar = new CookieJar()
    const challenge = await startFlow(env, jar, client.client_id)
    const consent = await toConsent(env, jar, await acceptLogin(env, challenge))
    const res = await browse(env, jar, await acceptConsent(env, consent))
    expect(res.statusCode).toBe(303)
    const location = new URL(String(res.headers.location))
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
    expect(location.href.startsWith(CONSENT_URL)).toBe(false)
  })

  describe('post_logout_redirect_uri', () => {
    /** A remembered login and an ID token for `c`. */
    async function loggedIn(c: TestClient): Promise<{ jar: CookieJar; idToken: string }> {
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, c.client_id)
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge, { subject: 'alice', remember: true, remember_for: 3600 }))
      const params = queryOf(String((await browse(env, jar, await acceptConsent(env, consent))).headers.location))
      const res = await tokenCall(env, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: REDIRECT_URI }, basic(c))
      expect(res.statusCode, res.body).toBe(200)
      return { jar, idToken: (res.json() as { id_token: string }).id_token }
    }

    const logout = (jar: CookieJar, query: Record<string, string>) => browse(env, jar, `/oauth2/sessions/logout?${new URLSearchParams(query).toString()}`)

    it('never redirects to a post_logout_redirect_uri that is unregistered or another client’s', async () => {
      const other = await createClient(env, { redirect_uris: ['https://other.example.com/cb'], post_logout_redirect_uris: [OTHER_POST_LOGOUT] })
      const { jar, idToken } = await loggedIn(client)
      const hostile = [
        'https://evil.example/',
        OTHER_POST_LOGOUT,
        `${POST_LOGOUT}/more`,
        `${POST_LOGOUT}/`,
        `${POST_LOGOUT}?x=1`,
        `${POST_LOGOUT}#x`,
        'https://app.example.com@evil.example/logged-out',
        'https://APP.example.com/logged-out',
        '//evil.example/logged-out',
      ]
      for (const uri of hostile) {
        const queries: Array<Record<string, string>> = [
          { id_token_hint: idToken, post_logout_redirect_uri: uri, state: 'st' },
          { client_id: client.client_id, post_logout_redirect_uri: uri },
          { post_logout_redirect_uri: uri },
        ]
        for (const query of queries) {
          const res = await logout(jar, query)
          const location = String(res.headers.location ?? '')
          expect(location, `${JSON.stringify(query)}`).not.toContain('evil.example')
          expect(location, `${JSON.stringify(query)}`).not.toContain('other.example.com')
          expect(res.statusCode, JSON.stringify(query)).toBe(302)
          expect(location.startsWith(errorUrl), `${JSON.stringify(query)} -> ${location}`).toBe(true)
        }
      }
      // Another client's registered URI with that client named but this client's ID token.
      const mixed = await logout(jar, { id_token_hint: idToken, client_id: other.client_id, post_logout_redirect_uri: OTHER_POST_LOGOUT })
      expect(String(mixed.headers.location ?? '')).not.toContain('other.example.com')
    })

    it('ends a logout whose request named no redirect at the configured default, not at a parameter of the verifier URL', async () => {
      const { jar, idToken } = await loggedIn(client)
      const start = await logout(jar, { id_token_hint: idToken })
      expect(start.statusCode).toBe(302)
      const challenge = queryOf(String(start.headers.location)).get('logout_challenge') ?? ''
      const accepted = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${encodeURIComponent(challenge)}`, {})
      expect(accepted.statusCode, accepted.body).toBe(200)
      const verifierUrl = new URL((accepted.json() as { redirect_to: string }).redirect_to)
      // The attacker adds a post_logout_redirect_uri to the verifier URL.
      verifierUrl.searchParams.set('post_logout_redirect_uri', 'https://evil.example/')
      const done = await browse(env, jar, `${verifierUrl.pathname}${verifierUrl.search}`)
      expect(String(done.headers.location ?? '')).not.toContain('evil.example')
      expect(done.body).not.toContain('evil.example')
    })
  })
})
