// The authorization_code grant in-process (RFC 6749 §4.1.3): codes from the real login and
// consent flow, exchanged at /oauth2/token, on every configured database.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s256 } from '../../src/oauth2/pkce.js'
import { halfHash } from '../../src/oauth2/tokens/id-token.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

for (const t of testDatabases()) {
  describe(`authorization_code grant on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    async function codeFor(client: TestClient, opts: Parameters<typeof fullFlow>[3] = {}): Promise<string> {
      const q = await fullFlow(env, new CookieJar(), client.client_id, opts)
      return q.get('code') ?? ''
    }

    const exchange = (client: TestClient, form: Record<string, string>) =>
      tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...form }, basic(client))

    it('exchanges a code for access, refresh and ID tokens', async () => {
      const client = await createClient(env)
      const code = await codeFor(client, {
        extra: { nonce: 'nonce-123' },
        login: { subject: 'alice', acr: 'urn:mfa', amr: ['pwd'] },
        consent: { grant_scope: ['openid', 'offline'], session: { id_token: { name: 'Alice', sub: 'evil', iss: 'evil' }, access_token: { plan: 'gold' } } },
      })
      const res = await exchange(client, { code })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['cache-control']).toBe('no-store')
      const body = res.json<Record<string, unknown>>()
      expect(body).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
      expect(body.access_token).toMatch(/^ory_at_/)
      expect(body.refresh_token).toMatch(/^ory_rt_/)
      expect(body.expires_in).toBeGreaterThan(3500)

      const jwks = (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>()
      const issuer = env.registry.config.urls.self.issuer
      const { payload, protectedHeader } = await jwtVerify(String(body.id_token), createLocalJWKSet(jwks), { issuer, audience: client.client_id })
      expect(protectedHeader).toMatchObject({ typ: 'JWT', alg: 'RS256' })
      expect(payload).toMatchObject({ sub: 'alice', aud: [client.client_id], nonce: 'nonce-123', acr: 'urn:mfa', amr: ['pwd'], name: 'Alice' })
      expect(payload.at_hash).toBe(halfHash(String(body.access_token), 'RS256'))
      for (const claim of ['auth_time', 'rat', 'iat', 'exp', 'jti', 'sid']) expect(payload, claim).toHaveProperty(claim)

      const info = await introspect(env, String(body.access_token))
      expect(info).toMatchObject({ active: true, sub: 'alice', scope: 'openid offline', client_id: client.client_id, ext: { plan: 'gold' }, token_use: 'access_token' })
      const rt = await introspect(env, String(body.refresh_token))
      expect(rt).toMatchObject({ active: true, sub: 'alice', scope: 'openid offline', client_id: client.client_id, token_use: 'refresh_token' })
    })

    it('issues no refresh token without an offline scope, and no ID token without openid', async () => {
      const client = await createClient(env)
      const code = await codeFor(client, { extra: { scope: 'profile' }, consent: { grant_scope: ['profile'] } })
      const body = (await exchange(client, { code })).json<Record<string, unknown>>()
      expect(body.access_token).toMatch(/^ory_at_/)
      expect(body).not.toHaveProperty('refresh_token')
      expect(body).not.toHaveProperty('id_token')
    })

    it('applies the client lifespans', async () => {
      const client = await createClient(env)
      const put = await env.admin.inject({
        method: 'PUT',
        url: `/admin/clients/${client.client_id}/lifespans`,
        payload: { authorization_code_grant_access_token_lifespan: '10m', authorization_code_grant_id_token_lifespan: '5m' },
      })
      expect(put.statusCode, put.body).toBe(200)
      const body = (await exchange(client, { code: await codeFor(client) })).json<Record<string, unknown>>()
      expect(body.expires_in).toBeGreaterThan(590)
      expect(body.expires_in).toBeLessThanOrEqual(600)
      const [, payload] = String(body.id_token).split('.')
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { exp: number; iat: number }
      expect(claims.exp - claims.iat).toBe(300)
    })

    it('refuses a wrong redirect_uri, another client, a garbage code', async () => {
      const client = await createClient(env)
      const other = await createClient(env)
      const code = await codeFor(client)
      const wrongUri = await exchange(client, { code, redirect_uri: 'https://app.example.com/other' })
      expect(wrongUri.statusCode).toBe(400)
      expect(wrongUri.json()).toMatchObject({ error: 'invalid_grant' })
      const missingUri = await tokenCall(env, { grant_type: 'authorization_code', code }, basic(client))
      expect(missingUri.json()).toMatchObject({ error: 'invalid_grant' })
      const wrongClient = await exchange(other, { code })
      expect(wrongClient.json()).toMatchObject({ error: 'invalid_grant' })
      const garbage = await exchange(client, { code: 'ory_ac_nope.nope' })
      expect(garbage.json()).toMatchObject({ error: 'invalid_grant' })
      const missing = await tokenCall(env, { grant_type: 'authorization_code' }, basic(client))
      expect(missing.json()).toMatchObject({ error: 'invalid_request' })
      // None of that used the code up.
      expect((await exchange(client, { code })).statusCode).toBe(200)
    })

    it('refuses an expired code', async () => {
      const client = await createClient(env)
      const code = await codeFor(client)
      await env.registry.db.kysely
        .updateTable('hydra_oauth2_code')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('client_id', '=', client.client_id)
        .execute()
      const res = await exchange(client, { code })
      expect(res.json()).toMatchObject({ error: 'invalid_grant' })
      expect(String(res.json<{ error_description: string }>().error_description)).toContain('expired')
    })

    it('checks the PKCE verifier (RFC 7636 §4.6)', async () => {
      const client = await createClient(env, { token_endpoint_auth_method: 'none' })
      const verifier = 'v'.repeat(43) + 'erifier'
      const code = await codeFor(client, { extra: { code_challenge: s256(verifier), code_challenge_method: 'S256' } })
      const call = (form: Record<string, string>) =>
        tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, client_id: client.client_id, code, ...form })
      expect((await call({})).json()).toMatchObject({ error: 'invalid_grant' })
      expect((await call({ code_verifier: 'w'.repeat(50) })).json()).toMatchObject({ error: 'invalid_grant' })
      const ok = await call({ code_verifier: verifier })
      expect(ok.statusCode, ok.body).toBe(200)
    })

    it('revokes every token of the first exchange when a code is replayed', async () => {
      const client = await createClient(env)
      const code = await codeFor(client)
      const first = (await exchange(client, { code })).json<Record<string, string>>()
      expect((await introspect(env, first.access_token ?? '')).active).toBe(true)
      const again = await exchange(client, { code })
      expect(again.statusCode).toBe(400)
      expect(again.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await introspect(env, first.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, first.refresh_token ?? '')).active).toBe(false)
      const refresh = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }, basic(client))
      expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('lets exactly one of two concurrent exchanges of one code succeed', async () => {
      const client = await createClient(env)
      const code = await codeFor(client)
      const results = await Promise.all([exchange(client, { code }), exchange(client, { code })])
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400])
    })
  })
}
