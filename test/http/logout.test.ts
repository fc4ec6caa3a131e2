// OpenID Connect RP-Initiated Logout 1.0 with Front- and Back-Channel Logout 1.0, in-process,
// with a real 127.0.0.1 server standing in for the relying parties' back-channel endpoints.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, adminCall, browse, createClient, fullFlow, startFlow } from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

const LOGOUT_URL = 'https://logout.example.com/logout'
const POST_LOGOUT = 'https://app.example.com/logged-out'
const FRONT_CHANNEL = 'https://app.example.com/front-channel'
const EVENT = 'http://schemas.openid.net/event/backchannel-logout'

interface Received {
  path: string
  contentType: string | undefined
  token: string
}

const received: Received[] = []
let server: Server
let base = ''

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

beforeAll(async () => {
  server = createServer((req, res) => {
    // /slow never answers: the sender's timeout has to give up on it.
    if (req.url === '/slow') return
    void readBody(req).then((body) => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], token: new URLSearchParams(body).get('logout_token') ?? '' })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function tokenFor(aud: string, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const hit = received.find((r) => decodeJwt(r.token).aud?.includes(aud))
    if (hit) return hit.token
    if (Date.now() > until) throw new Error(`no back-channel logout for ${aud}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

for (const t of testDatabases()) {
  describe(`logout on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, URLS_LOGOUT: LOGOUT_URL })
    })
    afterAll(async () => env.close())

    const sessionCookie = () => env.registry.config.serve.cookies.names.session
    const logoutClient = (extra: Record<string, unknown> = {}) =>
      createClient(env, {
        post_logout_redirect_uris: [POST_LOGOUT],
        frontchannel_logout_uri: FRONT_CHANNEL,
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: `${base}/bc`,
        backchannel_logout_session_required: true,
        ...extra,
      })

    /** A remembered login and an ID token for the client. */
    async function login(jar: CookieJar, client: { client_id: string; client_secret?: string }, subject = 'alice') {
      const params = await fullFlow(env, jar, client.client_id, { login: { subject, remember: true, remember_for: 3600 } })
      const res = await tokenCall(env, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: REDIRECT_URI }, basic(client))
      expect(res.statusCode, res.body).toBe(200)
      return (res.json() as { id_token: string }).id_token
    }

    const logoutRequest = (challenge: string) => adminCall(env, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${encodeURIComponent(challenge)}`)
    const decide = (challenge: string, verb: 'accept' | 'reject') =>
      adminCall(env, 'PUT', `/admin/oauth2/auth/requests/logout/${verb}?logout_challenge=${encodeURIComponent(challenge)}`, {})

    async function startLogout(jar: CookieJar, query: Record<string, string>): Promise<string> {
      const res = await browse(env, jar, `/oauth2/sessions/logout?${new URLSearchParams(query).toString()}`)
      expect(res.statusCode, res.body).toBe(302)
      const location = String(res.headers.location)
      expect(location.startsWith(`${LOGOUT_URL}?`), location).toBe(true)
      return queryOf(location).get('logout_challenge') ?? ''
    }

    it('logs out end to end: challenge, accept, verifier, front- and back-channel', async () => {
      const client = await logoutClient()
      const jar = new CookieJar()
      const idToken = await login(jar, client)
      const sid = decodeJwt(idToken).sid as string
      expect(jar.get(sessionCookie())).toBeTruthy()

      const challenge = await startLogout(jar, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'st-1' })
      const lr = await logoutRequest(challenge)
      expect(lr.statusCode, lr.body).toBe(200)
      expect(lr.json()).toMatchObject({ challenge, subject: 'alice', sid, rp_initiated: true, client: { client_id: client.client_id } })
      expect(lr.json().request_url).toContain('/oauth2/sessions/logout?')

      const accepted = await decide(challenge, 'accept')
      expect(accepted.statusCode, accepted.body).toBe(200)
      const redirectTo = (accepted.json() as { redirect_to: string }).redirect_to
      expect(redirectTo).toContain('/oauth2/sessions/logout?logout_verifier=')

      const done = await browse(env, jar, redirectTo)
      expect(done.statusCode, done.body).toBe(200)
      const csp = String(done.headers['content-security-policy'])
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain('frame-src https://app.example.com')
      const frame = /<iframe src="([^"]+)"/.exec(done.body)?.[1]?.replace(/&amp;/g, '&')
      expect(frame).toBeDefined()
      const frameUrl = new URL(frame ?? '')
      expect(`${frameUrl.origin}${frameUrl.pathname}`).toBe(FRONT_CHANNEL)
      expect(frameUrl.searchParams.get('iss')).toBe(env.registry.config.urls.self.issuer)
      expect(frameUrl.searchParams.get('sid')).toBe(sid)
      expect(done.body).toContain(`url=${POST_LOGOUT}?state=st-1`)

      // The session is over: cookie cleared, and the next login is not skipped.
      expect(jar.get(sessionCookie())).toBeUndefined()
      const next = await startFlow(env, jar, client.client_id)
      expect((await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${next}`)).json().skip).toBe(false)

      // Back-Channel Logout 1.0 §2.4: a logout+jwt signed with the ID token keys.
      const token = await tokenFor(client.client_id)
      const jwks = (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>()
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: env.registry.config.urls.self.issuer,
        audience: client.client_id,
        typ: 'logout+jwt',
      })
      expect(protectedHeader.typ).toBe('logout+jwt')
      expect(payload).toMatchObject({ sid, sub: 'alice', events: { [EVENT]: {} } })
      expect(typeof payload.jti).toBe('string')
      expect(typeof payload.iat).toBe('number')
      expect(payload).not.toHaveProperty('nonce')
      expect(received.find((r) => r.token === token)?.contentType).toBe('application/x-www-form-urlencoded')

      // The verifier works once.
      const replay = await browse(env, jar, redirectTo)
      expect(replay.statusCode).toBe(302)
      expect(queryOf(String(replay.headers.location)).get('error')).toBeTruthy()
    })

    it('refuses a post_logout_redirect_uri the client did not register', async () => {
      const client = await logoutClient()
      const jar = new CookieJar()
      const idToken = await login(jar, client)
      const queries: Array<Record<string, string>> = [
        { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example.com/' },
        { client_id: client.client_id, post_logout_redirect_uri: 'https://evil.example.com/' },
        { post_logout_redirect_uri: POST_LOGOUT },
        { id_token_hint: 'not-a-jwt' },
      ]
      for (const query of queries) {
        const res = await browse(env, jar, `/oauth2/sessions/logout?${new URLSearchParams(query).toString()}`)
        expect(res.statusCode).toBe(302)
        const location = String(res.headers.location)
        expect(location).not.toContain('evil.example.com')
        expect(queryOf(location).get('error')).toBe('invalid_request')
      }
      expect(jar.get(sessionCookie())).toBeTruthy()
    })

    it('honours post_logout_redirect_uri and state only with an id_token_hint, as Hydra', async () => {
      const client = await logoutClient()
      const loggedIn = new CookieJar()
      await login(loggedIn, client)
      const cases: Array<[Record<string, string>, string]> = [
        [{ client_id: client.client_id, post_logout_redirect_uri: POST_LOGOUT }, 'post_logout_redirect_uri is set but id_token_hint is missing'],
        [{ post_logout_redirect_uri: POST_LOGOUT }, 'post_logout_redirect_uri is set but id_token_hint is missing'],
        [{ client_id: client.client_id, state: 'st' }, 'state is set but id_token_hint is missing'],
      ]
      // With no session (the open redirect as reported) and with one.
      for (const jar of [new CookieJar(), loggedIn]) {
        for (const [query, hint] of cases) {
          const res = await browse(env, jar, `/oauth2/sessions/logout?${new URLSearchParams(query).toString()}`)
          expect(res.statusCode).toBe(302)
          const location = String(res.headers.location)
          expect(location.startsWith(POST_LOGOUT), location).toBe(false)
          const error = queryOf(location)
          expect(error.get('error')).toBe('invalid_request')
          expect(error.get('error_description')).toContain(hint)
        }
      }
      expect(loggedIn.get(sessionCookie())).toBeTruthy()
    })

    it('keeps the session when the logout app rejects', async () => {
      const client = await logoutClient()
      const jar = new CookieJar()
      await login(jar, client)
      const challenge = await startLogout(jar, {})
      expect((await logoutRequest(challenge)).json()).toMatchObject({ rp_initiated: false, subject: 'alice' })
      const rejected = await decide(challenge, 'reject')
      expect(rejected.statusCode, rejected.body).toBe(204)
      expect((await decide(challenge, 'accept')).statusCode).toBe(409)
      const next = await startFlow(env, jar, client.client_id)
      expect((await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${next}`)).json().skip).toBe(true)
    })

    it('binds the verifier to the browser that started the logout (CSRF cookie)', async () => {
      const client = await logoutClient({ backchannel_logout_uri: '', frontchannel_logout_uri: '' })
      const jar = new CookieJar()
      await login(jar, client)
      const challenge = await startLogout(jar, { client_id: client.client_id })
      const redirectTo = (await decide(challenge, 'accept')).json<{ redirect_to: string }>().redirect_to
      const stolen = await browse(env, new CookieJar(), redirectTo)
      expect(queryOf(String(stolen.headers.location)).get('error')).toBe('request_forbidden')
      // The victim's verifier was not burnt by the attempt.
      const done = await browse(env, jar, redirectTo)
      expect(String(done.headers.location)).toBe(env.registry.config.urls.post_logout_redirect)
      expect(jar.get(sessionCookie())).toBeUndefined()
    })

    it('refuses unknown or altered challenges with 4xx', async () => {
      expect((await logoutRequest('nope')).statusCode).toBe(404)
      expect((await adminCall(env, 'GET', '/admin/oauth2/auth/requests/logout')).statusCode).toBe(400)
      const res = await browse(env, new CookieJar(), '/oauth2/sessions/logout?logout_verifier=x&logout_verifier=y')
      expect(res.statusCode).toBeLessThan(500)
    })

    it('completes the logout when back-channel endpoints are down or slow', async () => {
      const down = await logoutClient({ backchannel_logout_uri: 'http://127.0.0.1:9/bc', frontchannel_logout_uri: '', skip_logout_consent: true })
      const slow = await logoutClient({ backchannel_logout_uri: `${base}/slow`, frontchannel_logout_uri: '' })
      const jar = new CookieJar()
      await login(jar, slow)
      const idToken = await login(jar, down)
      const started = Date.now()
      // skip_logout_consent: straight to the verifier, no logout screen.
      const res = await browse(env, jar, `/oauth2/sessions/logout?id_token_hint=${idToken}`)
      expect(res.statusCode).toBe(302)
      const verifier = String(res.headers.location)
      expect(verifier).toContain('logout_verifier=')
      const done = await browse(env, jar, verifier)
      expect(done.statusCode, done.body).toBe(302)
      expect(String(done.headers.location)).toBe(env.registry.config.urls.post_logout_redirect)
      expect(Date.now() - started).toBeLessThan(2000)
      expect(jar.get(sessionCookie())).toBeUndefined()
    })

    it('sends back-channel logout when an admin revokes a login session by sid', async () => {
      const client = await logoutClient()
      const jar = new CookieJar()
      const sid = decodeJwt(await login(jar, client, 'bob')).sid as string
      const res = await env.admin.inject({ method: 'DELETE', url: `/admin/oauth2/auth/sessions/login?sid=${sid}` })
      expect(res.statusCode).toBe(204)
      const { sid: sent, sub } = decodeJwt(await tokenFor(client.client_id))
      expect({ sent, sub }).toEqual({ sent: sid, sub: 'bob' })
    })
  })
}
