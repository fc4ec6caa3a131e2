// GET/POST /userinfo (OpenID Connect Core §5.3) in-process, on every configured database.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

for (const t of testDatabases()) {
  describe(`/userinfo on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    async function accessToken(client: TestClient, scope = ['openid', 'offline']): Promise<string> {
      const q = await fullFlow(env, new CookieJar(), client.client_id, {
        extra: { scope: scope.join(' ') },
        login: { subject: 'alice', acr: 'urn:mfa' },
        consent: { grant_scope: scope, session: { id_token: { name: 'Alice', email: 'alice@example.com', sub: 'mallory' } } },
      })
      const res = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '' }, basic(client))
      return res.json<{ access_token: string }>().access_token
    }

    it('answers the consent id_token claims for a bearer token, by header or form', async () => {
      const client = await createClient(env)
      const token = await accessToken(client)
      const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      const body = res.json<Record<string, unknown>>()
      expect(body).toMatchObject({ sub: 'alice', name: 'Alice', email: 'alice@example.com', acr: 'urn:mfa', aud: [client.client_id] })
      for (const claim of ['nonce', 'at_hash', 'exp', 'jti', 'sid']) expect(body, claim).not.toHaveProperty(claim)
      const post = await env.public.inject({
        method: 'POST',
        url: '/userinfo',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ access_token: token }).toString(),
      })
      expect(post.json()).toMatchObject({ sub: 'alice', name: 'Alice' })
    })

    it('refuses a missing, unknown or revoked token with 401 and a Bearer challenge', async () => {
      for (const headers of [{}, { authorization: 'Bearer ory_at_nope.nope' }, { authorization: 'Basic abc' }]) {
        const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers })
        expect(res.statusCode).toBe(401)
        expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)
        expect(res.json()).toMatchObject({ error: 'invalid_token' })
      }
      const client = await createClient(env)
      const token = await accessToken(client)
      await env.public.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(client) },
        payload: new URLSearchParams({ token }).toString(),
      })
      const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
      expect(res.statusCode).toBe(401)
    })

    it('needs the openid scope', async () => {
      const client = await createClient(env)
      const token = await accessToken(client, ['offline'])
      const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
      expect(res.statusCode).toBe(403)
      expect(res.headers['www-authenticate']).toMatch(/insufficient_scope/)
    })

    it('signs the answer when the client registered userinfo_signed_response_alg RS256', async () => {
      const client = await createClient(env, { userinfo_signed_response_alg: 'RS256' })
      const token = await accessToken(client)
      const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/jwt/)
      const jwks = (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>()
      const { payload } = await jwtVerify(res.body, createLocalJWKSet(jwks), {
        issuer: env.registry.config.urls.self.issuer,
        audience: client.client_id,
      })
      expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' })
    })
  })
}
