// The implicit and hybrid response types and the response modes (OAuth 2.0 Multiple Response
// Types, Form Post Response Mode, OpenID Connect Core §3.2, §3.3) through the in-process flow,
// on every configured database.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { halfHash } from '../../src/oauth2/tokens/id-token.js'
import { testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  REDIRECT_URI,
  STATE,
  acceptConsent,
  acceptLogin,
  authorizePath,
  browse,
  createClient,
  startFlow,
  toConsent,
  type TestClient,
} from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

const NONCE = 'nonce-abcdefgh'
const ALL_GRANTS = ['authorization_code', 'implicit', 'refresh_token']

const fragmentOf = (location: string): URLSearchParams => {
  expect(location.startsWith(`${REDIRECT_URI}#`), location).toBe(true)
  return new URLSearchParams(location.slice(location.indexOf('#') + 1))
}

/** The hidden inputs of a form_post page, unescaped. */
function formInputs(html: string): URLSearchParams {
  const unescape = (s: string) =>
    s.replace(/&(quot|lt|gt|#39|amp);/g, (_m, e: string) => ({ quot: '"', lt: '<', gt: '>', '#39': "'", amp: '&' })[e] ?? '')
  const out = new URLSearchParams()
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g)) out.append(unescape(m[1] ?? ''), unescape(m[2] ?? ''))
  return out
}

for (const t of testDatabases()) {
  describe(`response types and modes on ${t.name}`, () => {
    let env: TestApps
    let jwks: ReturnType<typeof createLocalJWKSet>
    let issuer: string
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
      issuer = env.registry.config.urls.self.issuer
      jwks = createLocalJWKSet((await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>())
    })
    afterAll(async () => env.close())

    const clientFor = (responseType: string, body: Record<string, unknown> = {}) =>
      createClient(env, { response_types: [responseType], grant_types: ALL_GRANTS, ...body })

    /** Walks login and consent and returns the final response (to the client) unparsed. */
    async function finish(client: TestClient, extra: Record<string, string>, grantScope = ['openid', 'offline']) {
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, client.client_id, { nonce: NONCE, ...extra })
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge))
      return browse(env, jar, await acceptConsent(env, consent, { grant_scope: grantScope, session: { access_token: { plan: 'gold' } } }))
    }

    async function verifyIdToken(token: string, client: TestClient): Promise<JWTPayload> {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: client.client_id })
      expect(payload).toMatchObject({ sub: 'user-1', nonce: NONCE })
      expect(protectedHeader.alg).toBe('RS256')
      return payload
    }

    const cases: Array<{ type: string; code: boolean; token: boolean; idToken: boolean }> = [
      { type: 'id_token', code: false, token: false, idToken: true },
      { type: 'token id_token', code: false, token: true, idToken: true },
      { type: 'code id_token', code: true, token: false, idToken: true },
      { type: 'code token', code: true, token: true, idToken: false },
      { type: 'id_token code token', code: true, token: true, idToken: true },
      { type: 'token', code: false, token: true, idToken: false },
    ]
    for (const c of cases) {
      it(`answers response_type=${c.type} in the fragment`, async () => {
        const client = await clientFor(c.type)
        const res = await finish(client, { response_type: c.type })
        expect(res.statusCode, res.body).toBe(303)
        const f = fragmentOf(String(res.headers.location))
        expect(f.get('state')).toBe(STATE)
        expect(f.get('iss')).toBe(issuer)
        expect(f.get('scope')).toBe('openid offline')
        // RFC 6749 §4.2.2: never a refresh token from the authorization endpoint.
        expect(f.has('refresh_token')).toBe(false)
        expect(f.has('code')).toBe(c.code)
        expect(f.has('access_token')).toBe(c.token)
        expect(f.has('id_token')).toBe(c.idToken)
        const accessToken = f.get('access_token') ?? ''
        const code = f.get('code') ?? ''
        if (c.token) {
          expect(f.get('token_type')).toBe('bearer')
          expect(Number(f.get('expires_in'))).toBeGreaterThan(3500)
          const info = await introspect(env, accessToken)
          expect(info).toMatchObject({ active: true, sub: 'user-1', client_id: client.client_id, scope: 'openid offline', ext: { plan: 'gold' } })
        }
        if (c.idToken) {
          const payload = await verifyIdToken(f.get('id_token') ?? '', client)
          // OpenID Connect Core §3.2.2.10, §3.3.2.11.
          expect(payload.at_hash).toBe(c.token ? halfHash(accessToken, 'RS256') : undefined)
          expect(payload.c_hash).toBe(c.code ? halfHash(code, 'RS256') : undefined)
        }
        if (c.code) {
          const res = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code }, basic(client))
          expect(res.statusCode, res.body).toBe(200)
          expect(res.json<Record<string, unknown>>().refresh_token).toMatch(/^ory_rt_/)
        }
      })
    }

    it('uses the client implicit lifespans for tokens from the authorization endpoint', async () => {
      const client = await clientFor('id_token token')
      const put = await env.admin.inject({
        method: 'PUT',
        url: `/admin/clients/${client.client_id}/lifespans`,
        payload: { implicit_grant_access_token_lifespan: '10m', implicit_grant_id_token_lifespan: '5m' },
      })
      expect(put.statusCode, put.body).toBe(200)
      const f = fragmentOf(String((await finish(client, { response_type: 'id_token token' })).headers.location))
      expect(f.get('expires_in')).toBe('600')
      const payload = await verifyIdToken(f.get('id_token') ?? '', client)
      expect(Number(payload.exp) - Number(payload.iat)).toBe(300)
    })

    it('posts the response as an auto-submitting form with a strict CSP', async () => {
      const client = await clientFor('code id_token')
      const state = `"<b>&'state-1234`
      const res = await finish(client, { response_type: 'code id_token', response_mode: 'form_post', state })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['cache-control']).toBe('no-store')
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toContain("default-src 'none'")
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/)
      expect(res.body).toContain(`<form method="post" action="${REDIRECT_URI}">`)
      expect(res.body).toContain('<noscript>')
      expect(res.body).not.toContain('onload')
      expect(res.body).toContain('value="&quot;&lt;b&gt;&amp;&#39;state-1234"')
      const inputs = formInputs(res.body)
      expect(inputs.get('state')).toBe(state)
      const payload = await verifyIdToken(inputs.get('id_token') ?? '', client)
      expect(payload.c_hash).toBe(halfHash(inputs.get('code') ?? '', 'RS256'))
    })

    it('delivers a plain code by form_post or in the fragment when asked to', async () => {
      const client = await clientFor('code')
      const post = await finish(client, { response_type: 'code', response_mode: 'form_post' })
      expect(post.statusCode).toBe(200)
      expect(formInputs(post.body).get('code')).toMatch(/^ory_ac_/)
      const frag = await finish(client, { response_type: 'code', response_mode: 'fragment' })
      expect(fragmentOf(String(frag.headers.location)).get('code')).toMatch(/^ory_ac_/)
    })

    it('refuses an implicit request without nonce, in the fragment', async () => {
      const client = await clientFor('id_token')
      const res = await browse(env, new CookieJar(), authorizePath(client.client_id, { response_type: 'id_token' }))
      expect(res.statusCode).toBe(303)
      const f = fragmentOf(String(res.headers.location))
      expect(f.get('error')).toBe('invalid_request')
      expect(f.get('error_description')).toContain('nonce')
      expect(f.get('state')).toBe(STATE)
    })

    it('refuses the query response mode for tokens', async () => {
      const client = await clientFor('token')
      const res = await browse(env, new CookieJar(), authorizePath(client.client_id, { response_type: 'token', response_mode: 'query' }))
      expect(res.statusCode).toBe(303)
      expect(fragmentOf(String(res.headers.location)).get('error')).toBe('invalid_request')
    })

    it('refuses response types the client did not register', async () => {
      const codeOnly = await createClient(env)
      for (const type of ['token', 'code id_token']) {
        const res = await browse(env, new CookieJar(), authorizePath(codeOnly.client_id, { response_type: type, nonce: NONCE }))
        expect(fragmentOf(String(res.headers.location)).get('error'), type).toBe('unsupported_response_type')
      }
      // Client registration already refuses `token` without the implicit grant (client/grants.ts);
      // the authorization endpoint's own unauthorized_client check is unit-tested in
      // test/oauth2/response-mode.test.ts.
    })

    it('passes the claims parameter to the consent request', async () => {
      const client = await clientFor('code')
      const claims = JSON.stringify({ id_token: { email: { essential: true } } })
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, client.client_id, { claims })
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge))
      const cr = await env.admin.inject({ method: 'GET', url: `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consent)}` })
      expect(cr.json()).toMatchObject({ oidc_context: { claims: { id_token: { email: { essential: true } } } } })
      expect(queryOf(String((await browse(env, jar, await acceptConsent(env, consent))).headers.location)).get('code')).toBeTruthy()
    })
  })
}
