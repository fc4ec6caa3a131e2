// RFC 9449 DPoP through the HTTP edges in-process, on every configured database: bound tokens at
// the token endpoint (client_credentials, authorization_code with dpop_jkt, refresh_token),
// introspection, JWT access tokens, /userinfo, and every bad proof refused with the RFC's error.
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { dpopKey, proof, type DpopKey } from '../support/dpop.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

const ISSUER = 'http://127.0.0.1:4444'
const TOKEN_URL = `${ISSUER}/oauth2/token`
const USERINFO_URL = `${ISSUER}/userinfo`

for (const t of testDatabases()) {
  describe(`DPoP on ${t.name}`, () => {
    let env: TestApps
    let key: DpopKey
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, URLS_SELF_ISSUER: ISSUER })
      key = await dpopKey()
    })
    afterAll(async () => env.close())

    const ccClient = (body: Record<string, unknown> = {}) =>
      createClient(env, { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read', ...body })

    it('binds a client_credentials token: token_type DPoP, cnf.jkt at introspection, refused as a bearer token', async () => {
      const client = await ccClient()
      const res = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, { ...basic(client), dpop: await proof(key, { htu: TOKEN_URL }) })
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json<{ access_token: string; token_type: string }>()
      expect(body.token_type).toBe('DPoP')
      expect(await introspect(env, body.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } })
      // Without a proof the token is a plain bearer token.
      const plain = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, basic(client))
      expect(plain.json()).toMatchObject({ token_type: 'bearer' })
      expect(await introspect(env, plain.json<{ access_token: string }>().access_token)).not.toHaveProperty('cnf')
      // RFC 9449 §7.2: a bound token used as a bearer token is refused, with a DPoP challenge.
      const bearer = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } })
      expect(bearer.statusCode).toBe(401)
      expect(bearer.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/)
      expect(bearer.headers['www-authenticate']).toMatch(/algs="ES256/)
    })

    it('puts cnf.jkt into JWT access tokens', async () => {
      const client = await ccClient({ access_token_strategy: 'jwt' })
      const res = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, { ...basic(client), dpop: await proof(key, { htu: TOKEN_URL }) })
      expect(res.statusCode, res.body).toBe(200)
      expect(decodeJwt(res.json<{ access_token: string }>().access_token)).toMatchObject({ cnf: { jkt: key.jkt } })
    })

    it('refuses bad proofs at the token endpoint with invalid_dpop_proof', async () => {
      const client = await ccClient()
      const call = (dpop: string) => tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, { ...basic(client), dpop })
      const cases: Array<[string, string]> = [
        ['another URL', await proof(key, { htu: USERINFO_URL })],
        ['another method', await proof(key, { htu: TOKEN_URL, htm: 'GET' })],
        ['an old iat', await proof(key, { htu: TOKEN_URL, iat: Math.floor(Date.now() / 1000) - 3600 })],
        ['a wrong typ', await proof(key, { htu: TOKEN_URL, typ: 'JWT' })],
        ['garbage', 'not.a.jwt'],
      ]
      for (const [name, p] of cases) {
        const res = await call(p)
        expect(res.statusCode, name).toBe(400)
        expect(res.json(), name).toMatchObject({ error: 'invalid_dpop_proof' })
      }
      const once = await proof(key, { htu: TOKEN_URL })
      expect((await call(once)).statusCode).toBe(200)
      const replay = await call(once)
      expect(replay.statusCode).toBe(400)
      expect(replay.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      expect(replay.json<{ error_description: string }>().error_description).toMatch(/used before/)
    })

    it('requires a proof from a client registered with dpop_bound_access_tokens', async () => {
      const client = await ccClient({ dpop_bound_access_tokens: true })
      const got = await env.admin.inject({ method: 'GET', url: `/admin/clients/${client.client_id}` })
      expect(got.json()).toMatchObject({ dpop_bound_access_tokens: true })
      const res = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, basic(client))
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      const ok = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, { ...basic(client), dpop: await proof(key, { htu: TOKEN_URL }) })
      expect(ok.json()).toMatchObject({ token_type: 'DPoP' })
    })

    async function codeFor(clientId: string, extra: Record<string, string> = {}): Promise<string> {
      const q = await fullFlow(env, new CookieJar(), clientId, {
        extra: { scope: 'openid offline', ...extra },
        login: { subject: 'alice' },
        consent: { grant_scope: ['openid', 'offline'], session: { id_token: { name: 'Alice' } } },
      })
      return q.get('code') ?? ''
    }

    it('binds a public client: code with dpop_jkt, access and refresh token, userinfo with the DPoP scheme', async () => {
      const client = await createClient(env, { token_endpoint_auth_method: 'none' })
      const verifier = 'v'.repeat(50)
      const { createHash } = await import('node:crypto')
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      const pkce = { code_challenge: challenge, code_challenge_method: 'S256' }
      const other = await dpopKey()
      const form = (code: string) => ({ grant_type: 'authorization_code', client_id: client.client_id, redirect_uri: REDIRECT_URI, code, code_verifier: verifier })

      // dpop_jkt binds the code: a proof by another key is refused (and leaves the code usable).
      const code = await codeFor(client.client_id, { ...pkce, dpop_jkt: key.jkt })
      const wrong = await tokenCall(env, form(code), { dpop: await proof(other, { htu: TOKEN_URL }) })
      expect(wrong.statusCode).toBe(400)
      expect(wrong.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      const res = await tokenCall(env, form(code), { dpop: await proof(key, { htu: TOKEN_URL }) })
      expect(res.statusCode, res.body).toBe(200)
      const tokens = res.json<{ access_token: string; refresh_token: string; token_type: string }>()
      expect(tokens.token_type).toBe('DPoP')
      expect(await introspect(env, tokens.refresh_token)).toMatchObject({ active: true, cnf: { jkt: key.jkt } })

      // /userinfo: the DPoP scheme plus a proof with ath.
      const userinfo = async (headers: Record<string, string>) => env.public.inject({ method: 'GET', url: '/userinfo', headers })
      const good = await userinfo({ authorization: `DPoP ${tokens.access_token}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: tokens.access_token }) })
      expect(good.statusCode, good.body).toBe(200)
      expect(good.json()).toMatchObject({ sub: 'alice', name: 'Alice' })
      const noAth = await userinfo({ authorization: `DPoP ${tokens.access_token}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO_URL }) })
      expect(noAth.statusCode).toBe(401)
      expect(noAth.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/)
      const otherKey = await userinfo({ authorization: `DPoP ${tokens.access_token}`, dpop: await proof(other, { htm: 'GET', htu: USERINFO_URL, accessToken: tokens.access_token }) })
      expect(otherKey.statusCode).toBe(401)
      expect(otherKey.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      const noProof = await userinfo({ authorization: `DPoP ${tokens.access_token}` })
      expect(noProof.statusCode).toBe(401)
      expect(noProof.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/)
      const asBearer = await userinfo({ authorization: `Bearer ${tokens.access_token}` })
      expect(asBearer.statusCode).toBe(401)
      expect(asBearer.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/)

      // The refresh token needs a proof by the same key.
      const refresh = { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: tokens.refresh_token }
      const missing = await tokenCall(env, refresh)
      expect(missing.statusCode).toBe(400)
      expect(missing.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      const byOther = await tokenCall(env, refresh, { dpop: await proof(other, { htu: TOKEN_URL }) })
      expect(byOther.statusCode).toBe(400)
      expect(byOther.json()).toMatchObject({ error: 'invalid_dpop_proof' })
      const refreshed = await tokenCall(env, refresh, { dpop: await proof(key, { htu: TOKEN_URL }) })
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      expect(refreshed.json()).toMatchObject({ token_type: 'DPoP' })
    })

    it('refuses a malformed dpop_jkt at the authorization endpoint', async () => {
      const client = await createClient(env)
      const res = await env.public.inject({
        method: 'GET',
        url: `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, state: 'state-1234567890', dpop_jkt: 'short' }).toString()}`,
      })
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toMatch(/error=invalid_request/)
    })

    it('advertises the proof algorithms in discovery', async () => {
      const res = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
      expect(res.json()).toMatchObject({ dpop_signing_alg_values_supported: ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'] })
    })
  })
}
