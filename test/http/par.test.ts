// Pushed Authorization Requests (RFC 9126) in-process on every configured database: the push
// endpoint, the one-time request_uri at /oauth2/auth, and PAR required per client and server-wide.
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s256 } from '../../src/oauth2/pkce.js'
import { REQUEST_URI_PREFIX } from '../../src/oauth2/par.js'
import { testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  LOGIN_URL,
  REDIRECT_URI,
  STATE,
  acceptConsent,
  acceptLogin,
  adminCall,
  browse,
  createClient,
  toClient,
  toConsent,
  type TestClient,
} from '../support/flow.js'

const basic = (c: TestClient) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`

async function push(env: TestApps, fields: Record<string, string>, authorization?: string) {
  return env.public.inject({
    method: 'POST',
    url: '/oauth2/par',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    payload: new URLSearchParams(fields).toString(),
  })
}

const request = (extra: Record<string, string> = {}) => ({
  response_type: 'code',
  scope: 'openid offline',
  redirect_uri: REDIRECT_URI,
  state: STATE,
  ...extra,
})

/** Where /oauth2/auth sent the browser for an error it cannot give the client: the error page's query. */
function errorPage(location: string): URLSearchParams {
  expect(location).toContain('/oauth2/fallbacks/error?')
  return queryOf(location)
}

for (const t of testDatabases()) {
  describe(`pushed authorization requests on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    it('is advertised by discovery, not required by default', async () => {
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      expect(doc.pushed_authorization_request_endpoint).toBe(new URL('/oauth2/par', env.registry.config.urls.self.public).href)
      expect(doc.require_pushed_authorization_requests).toBe(false)
    })

    it('answers 201 with a one-time request_uri that stands for the pushed parameters', async () => {
      const client = await createClient(env)
      const verifier = 'v'.repeat(60)
      const res = await push(env, request({ code_challenge: s256(verifier), code_challenge_method: 'S256', nonce: 'nonce-12345678' }), basic(client))
      expect(res.statusCode, res.body).toBe(201)
      expect(res.headers['cache-control']).toBe('no-store')
      const body = res.json() as { request_uri: string; expires_in: number }
      expect(body.expires_in).toBe(60)
      expect(body.request_uri.startsWith(REQUEST_URI_PREFIX)).toBe(true)
      expect(body.request_uri.length).toBeGreaterThan(REQUEST_URI_PREFIX.length + 40)
      // Stored sealed: neither the request_uri nor the parameters are readable in the row.
      const rows = await env.registry.db.kysely.selectFrom('orthrus_oauth2_par').selectAll().execute()
      const row = rows.find((r) => r.client_id === client.client_id)!
      expect(row.signature).not.toContain(body.request_uri.slice(REQUEST_URI_PREFIX.length))
      expect(row.request_data).not.toContain(STATE)

      // Only client_id and request_uri count at the authorization endpoint (RFC 9126 §4).
      const jar = new CookieJar()
      const auth = `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: body.request_uri, state: 'another-state-0000', scope: 'profile' })}`
      const start = await browse(env, jar, auth)
      expect(start.statusCode).toBe(302)
      const location = String(start.headers.location)
      expect(location.startsWith(LOGIN_URL)).toBe(true)
      const challenge = queryOf(location).get('login_challenge')!
      const login = (await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)).json()
      expect(login.requested_scope).toEqual(['openid', 'offline'])
      expect(login.request_url).not.toContain('request_uri')
      expect(new URL(login.request_url).searchParams.get('state')).toBe(STATE)

      const consentChallenge = await toConsent(env, jar, await acceptLogin(env, challenge))
      const back = await toClient(env, jar, await acceptConsent(env, consentChallenge))
      expect(back.get('state')).toBe(STATE)
      const code = back.get('code')!
      const token = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
        payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
      })
      expect(token.statusCode, token.body).toBe(200)
      expect(token.json()).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })

      // Used once.
      const again = await browse(env, new CookieJar(), `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: body.request_uri })}`)
      expect(again.statusCode).toBe(302)
      expect(errorPage(String(again.headers.location)).get('error')).toBe('invalid_request_uri')
    })

    it("refuses another client's, an unknown and an expired request_uri with invalid_request_uri", async () => {
      const owner = await createClient(env)
      const other = await createClient(env)
      const pushed = (await push(env, request(), basic(owner))).json() as { request_uri: string }
      const use = (clientId: string, requestUri: string) =>
        browse(env, new CookieJar(), `/oauth2/auth?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`)

      const foreign = await use(other.client_id, pushed.request_uri)
      expect(errorPage(String(foreign.headers.location)).get('error')).toBe('invalid_request_uri')
      // The failed attempt by another client did not use it up.
      expect(String((await use(owner.client_id, pushed.request_uri)).headers.location).startsWith(LOGIN_URL)).toBe(true)
      const unknown = await use(owner.client_id, `${REQUEST_URI_PREFIX}not-issued-by-this-server`)
      expect(errorPage(String(unknown.headers.location)).get('error')).toBe('invalid_request_uri')

      const late = (await push(env, request(), basic(owner))).json() as { request_uri: string }
      await env.registry.db.kysely
        .updateTable('orthrus_oauth2_par')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('client_id', '=', owner.client_id)
        .execute()
      const expired = errorPage(String((await use(owner.client_id, late.request_uri)).headers.location))
      expect(expired.get('error')).toBe('invalid_request_uri')
      expect(expired.get('error_description')).toContain('expired')
    })

    it('authenticates the client as the token endpoint does', async () => {
      const client = await createClient(env)
      const none = await push(env, { client_id: client.client_id, ...request() })
      expect(none.statusCode).toBe(401)
      expect(none.json().error).toBe('invalid_client')
      const wrong = await push(env, request(), `Basic ${Buffer.from(`${client.client_id}:nope`).toString('base64')}`)
      expect(wrong.statusCode).toBe(401)
      const mismatch = await push(env, { ...request(), client_id: 'someone-else' }, basic(client))
      expect(mismatch.statusCode).toBe(400)
      expect(mismatch.json().error).toBe('invalid_request')
      const get = await env.public.inject({ method: 'GET', url: '/oauth2/par' })
      expect(get.statusCode).toBe(405)
    })

    it('validates the request as /oauth2/auth does, answering errors in JSON instead of redirecting', async () => {
      const client = await createClient(env)
      const badRedirect = await push(env, request({ redirect_uri: 'https://evil.example.com/cb' }), basic(client))
      expect(badRedirect.statusCode).toBe(400)
      expect(badRedirect.json().error).toBe('invalid_request')
      const badScope = await push(env, request({ scope: 'openid admin' }), basic(client))
      expect(badScope.statusCode).toBe(400)
      expect(badScope.json().error).toBe('invalid_scope')
      const shortState = await push(env, request({ state: 'short' }), basic(client))
      expect(shortState.json().error).toBe('invalid_state')
      const nested = await push(env, request({ request_uri: 'https://app.example.com/request.jwt' }), basic(client))
      expect(nested.statusCode).toBe(400)
      expect(nested.json()).toMatchObject({ error: 'invalid_request' })
      expect(nested.json().error_description).toContain('request_uri')
    })

    it('accepts a signed request object and keeps its claims', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256')
      const jwk = { ...(await exportJWK(publicKey)), kid: 'ro-1', alg: 'ES256', use: 'sig' }
      const client = await createClient(env, { jwks: { keys: [jwk] }, request_object_signing_alg: 'ES256' })
      const object = await new SignJWT({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT_URI, state: 'state-from-object', scope: 'openid offline' })
        .setProtectedHeader({ alg: 'ES256', kid: 'ro-1' })
        .setIssuer(client.client_id)
        .setAudience(env.registry.config.urls.self.issuer)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(privateKey)
      const res = await push(env, { response_type: 'code', scope: 'openid', request: object }, basic(client))
      expect(res.statusCode, res.body).toBe(201)
      const jar = new CookieJar()
      const start = await browse(env, jar, `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: (res.json() as { request_uri: string }).request_uri })}`)
      const challenge = queryOf(String(start.headers.location)).get('login_challenge')!
      const back = await toClient(env, jar, await acceptConsent(env, await toConsent(env, jar, await acceptLogin(env, challenge))))
      expect(back.get('state')).toBe('state-from-object')

      const forged = await new SignJWT({ state: 'state-from-object' }).setProtectedHeader({ alg: 'ES256', kid: 'ro-1' }).sign((await generateKeyPair('ES256')).privateKey)
      const refused = await push(env, { response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, request: forged }, basic(client))
      expect(refused.statusCode).toBe(400)
      expect(refused.json().error).toBe('invalid_request_object')
    })

    it("requires PAR for a client whose metadata says so (shown by the admin API)", async () => {
      const client = await createClient(env, { require_pushed_authorization_requests: true })
      const shown = (await adminCall(env, 'GET', `/admin/clients/${client.client_id}`)).json()
      expect(shown.require_pushed_authorization_requests).toBe(true)
      const plain = await browse(env, new CookieJar(), `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, ...request() })}`)
      expect(plain.statusCode).toBe(303)
      const refused = queryOf(String(plain.headers.location))
      expect(String(plain.headers.location).startsWith(`${REDIRECT_URI}?`)).toBe(true)
      expect(refused.get('error')).toBe('invalid_request')
      expect(refused.get('error_description')).toContain('Pushed Authorization Requests are required')
      expect(refused.get('state')).toBe(STATE)

      const pushed = (await push(env, request(), basic(client))).json() as { request_uri: string }
      const ok = await browse(env, new CookieJar(), `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri })}`)
      expect(String(ok.headers.location).startsWith(LOGIN_URL)).toBe(true)

      const relaxed = await createClient(env)
      expect((await adminCall(env, 'GET', `/admin/clients/${relaxed.client_id}`)).json()).not.toHaveProperty('require_pushed_authorization_requests')
    })
  })

  describe(`pushed authorization requests required server-wide on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, OAUTH2_PUSHED_AUTHORIZATION_REQUESTS_REQUIRED: 'true', OAUTH2_PUSHED_AUTHORIZATION_REQUESTS_LIFESPAN: '90s' })
    })
    afterAll(async () => env.close())

    it('refuses a plain authorization request, runs a pushed one, and says so in discovery', async () => {
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      expect(doc.require_pushed_authorization_requests).toBe(true)
      const client = await createClient(env)
      const plain = await browse(env, new CookieJar(), `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, ...request() })}`)
      expect(queryOf(String(plain.headers.location)).get('error')).toBe('invalid_request')

      const res = await push(env, request(), basic(client))
      expect(res.json().expires_in).toBe(90)
      const jar = new CookieJar()
      const start = await browse(env, jar, `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: (res.json() as { request_uri: string }).request_uri })}`)
      const challenge = queryOf(String(start.headers.location)).get('login_challenge')!
      // The login and consent verifiers come back without the request_uri: they are not refused.
      const back = await toClient(env, jar, await acceptConsent(env, await toConsent(env, jar, await acceptLogin(env, challenge))))
      expect(back.get('code')).toBeTruthy()
    })
  })
}
