// RFC 7523 §2.1 at the token endpoint, end to end (in-process apps), on every configured database.
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertionAudiences } from '../../src/oauth2/services.js'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'
import { FakeServer } from '../support/fake-http.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

interface Creds {
  id: string
  secret: string
}

/** A jwt-bearer token request from client `c` (Basic authentication). */
const tokenRequest = (env: TestApps, c: Creds, form: Record<string, string>) =>
  env.public.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { ...FORM, authorization: basic(c.id, c.secret) },
    payload: new URLSearchParams({ grant_type: GRANT, ...form }).toString(),
  })

/**
 * Trusts a fresh ES256 key (kid `kid`) as the `trust` request describes it and creates a client
 * with the grant; returns the key's private half and the client.
 */
async function trustNewKey(env: TestApps, kid: string, trust: Record<string, unknown>) {
  const pair = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256' }
  const trusted = await env.admin.inject({
    method: 'POST',
    url: '/admin/trust/grants/jwt-bearer/issuers',
    payload: { ...trust, jwk, expires_at: '2099-01-01T00:00:00Z' },
  })
  expect(trusted.statusCode, trusted.body).toBe(201)
  const client = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: [GRANT], scope: 'read' } })
  const { client_id: id, client_secret: secret } = client.json()
  return { privateKey: pair.privateKey, client: { id, secret } as Creds }
}

for (const t of testDatabases()) {
  describe(`jwt-bearer grant on ${t.name}`, () => {
    let env: TestApps
    let service: Creds
    let noGrant: Creds
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
    let publicJwk: JWK
    let tokenUrl: string
    const issuer = 'https://idp.example'

    beforeAll(async () => {
      env = await testApps(t)
      tokenUrl = assertionAudiences(env.registry.config)[0] as string
      const pair = await generateKeyPair('RS256', { extractable: true })
      privateKey = pair.privateKey
      publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }
      service = await createClient({ grant_types: [GRANT], scope: 'read write admin', audience: ['https://api.example'] })
      noGrant = await createClient({ grant_types: ['client_credentials'], scope: 'read' })
      const trust = await env.admin.inject({
        method: 'POST',
        url: '/admin/trust/grants/jwt-bearer/issuers',
        payload: { issuer, subject: 'alice@example.com', scope: ['read', 'write'], jwk: publicJwk, expires_at: '2099-01-01T00:00:00Z' },
      })
      expect(trust.statusCode, trust.body).toBe(201)
    })
    afterAll(async () => env.close())

    async function createClient(body: Record<string, unknown>): Promise<Creds> {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: body })
      expect(res.statusCode, res.body).toBe(201)
      return { id: res.json().client_id, secret: res.json().client_secret }
    }

    const assertion = (over: JWTPayload = {}) =>
      new SignJWT({
        iss: issuer,
        sub: 'alice@example.com',
        aud: tokenUrl,
        jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000) - 1,
        exp: Math.floor(Date.now() / 1000) + 300,
        ...over,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
        .sign(privateKey)

    const token = (c: Creds, form: Record<string, string>) => tokenRequest(env, c, form)

    const introspect = async (value: string) => {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(value)}` })
      expect(res.statusCode).toBe(200)
      return res.json()
    }

    it('issues a token about the assertion subject', async () => {
      const res = await token(service, { assertion: await assertion(), scope: 'read write', audience: 'https://api.example' })
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({ token_type: 'bearer', scope: 'read write', expires_in: 3600 })
      expect(body.refresh_token).toBeUndefined()
      const info = await introspect(body.access_token)
      expect(info).toMatchObject({
        active: true,
        sub: 'alice@example.com',
        client_id: service.id,
        scope: 'read write',
        aud: ['https://api.example'],
      })
      // The assertion's own audience is not granted (omit_assertion_audience defaults to true).
      expect(info.aud).not.toContain(tokenUrl)
    })

    it('narrows scopes and refuses widening with invalid_scope', async () => {
      const narrow = await token(service, { assertion: await assertion(), scope: 'read' })
      expect(narrow.statusCode, narrow.body).toBe(200)
      expect((await introspect(narrow.json().access_token)).scope).toBe('read')

      // 'admin' is allowed for the client but not by the trust relationship.
      const wide = await token(service, { assertion: await assertion(), scope: 'read admin' })
      expect(wide.statusCode).toBe(400)
      expect(wide.json()).toMatchObject({ error: 'invalid_scope' })
      expect(wide.json().error_description).toMatch(/'admin'/)

      // 'delete' is allowed by neither.
      const other = await token(service, { assertion: await assertion(), scope: 'delete' })
      expect(other.statusCode).toBe(400)
      expect(other.json()).toMatchObject({ error: 'invalid_scope' })
    })

    it('refuses a client without the grant type', async () => {
      const res = await token(noGrant, { assertion: await assertion(), scope: 'read' })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'unauthorized_client' })
    })

    it('refuses an unknown issuer, a replay, a missing assertion and a wrong audience with clear errors', async () => {
      const unknown = await token(service, { assertion: await assertion({ iss: 'https://other.example' }) })
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json()).toMatchObject({ error: 'invalid_grant' })
      expect(unknown.json().error_description).toMatch(/No trust relationship for the issuer 'https:\/\/other.example'/)

      const once = await assertion()
      expect((await token(service, { assertion: once })).statusCode).toBe(200)
      const replay = await token(service, { assertion: once })
      expect(replay.statusCode).toBe(400)
      expect(replay.json().error_description).toMatch(/used before/)

      const missing = await token(service, {})
      expect(missing.statusCode).toBe(400)
      expect(missing.json()).toMatchObject({ error: 'invalid_request' })

      const aud = await token(service, { assertion: await assertion({ aud: 'https://elsewhere.example' }) })
      expect(aud.statusCode).toBe(400)
      expect(aud.json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('refuses a public client (token_endpoint_auth_method none)', async () => {
      const res = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        payload: { grant_types: [GRANT], scope: 'read', token_endpoint_auth_method: 'none' },
      })
      expect(res.statusCode, res.body).toBe(201)
      const tok = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: FORM,
        payload: new URLSearchParams({ grant_type: GRANT, client_id: res.json().client_id, assertion: await assertion(), scope: 'read' }).toString(),
      })
      expect(tok.statusCode).toBe(400)
      expect(tok.json()).toMatchObject({ error: 'unauthorized_client' })
    })

    it('refuses an unauthenticated client', async () => {
      const res = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { ...FORM, authorization: basic(service.id, 'wrong') },
        payload: new URLSearchParams({ grant_type: GRANT, assertion: await assertion() }).toString(),
      })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ error: 'invalid_client' })
    })

    it('advertises the grant in the discovery document', async () => {
      const res = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
      expect(res.json().grant_types_supported).toContain(GRANT)
    })
  })

  describe(`jwt-bearer grant with omit_assertion_audience=false on ${t.name}`, () => {
    let env: TestApps

    beforeAll(async () => {
      env = await testApps(t, { OAUTH2_GRANT_JWT_OMIT_ASSERTION_AUDIENCE: 'false' })
    })
    afterAll(async () => env.close())

    it('grants the assertion audience too (the legacy behaviour)', async () => {
      const tokenUrl = assertionAudiences(env.registry.config)[0] as string
      const { privateKey, client } = await trustNewKey(env, 'k', { issuer: 'https://legacy.example', allow_any_subject: true, scope: ['read'] })
      const jwt = await new SignJWT({ iss: 'https://legacy.example', sub: 'svc-7', aud: tokenUrl, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) - 1, exp: Math.floor(Date.now() / 1000) + 60 })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .sign(privateKey)
      const res = await tokenRequest(env, client, { assertion: jwt, scope: 'read' })
      expect(res.statusCode, res.body).toBe(200)
      const info = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(res.json().access_token)}` })
      expect(info.json()).toMatchObject({ active: true, sub: 'svc-7', aud: [tokenUrl] })
    })
  })

  describe(`jwt-bearer grant with oauth2.token_hook on ${t.name}`, () => {
    let env: TestApps
    const hook = new FakeServer()

    beforeAll(async () => {
      await hook.start()
      env = await testApps(t, { OAUTH2_TOKEN_HOOK: `${hook.url}/token` })
    })
    afterAll(async () => {
      await env.close()
      await hook.stop()
    })

    it('runs the hook before issuing and keeps its access token claims as ext', async () => {
      hook.reply = () => ({ status: 200, body: { session: { access_token: { tier: 'gold' } } } })
      const tokenUrl = assertionAudiences(env.registry.config)[0] as string
      const { privateKey, client } = await trustNewKey(env, 'h', { issuer: 'https://hooked.example', subject: 'dana', scope: ['read'] })
      const now = Math.floor(Date.now() / 1000)
      const jwt = await new SignJWT({ iss: 'https://hooked.example', sub: 'dana', aud: tokenUrl, jti: randomUUID(), iat: now, exp: now + 60 })
        .setProtectedHeader({ alg: 'ES256', kid: 'h' })
        .sign(privateKey)
      const res = await tokenRequest(env, client, { assertion: jwt, scope: 'read' })
      expect(res.statusCode, res.body).toBe(200)
      expect(hook.requests).toHaveLength(1)
      expect(hook.requests[0]?.body).toContain('dana')
      const info = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(res.json().access_token)}` })
      expect(info.json()).toMatchObject({ active: true, sub: 'dana', ext: { tier: 'gold' } })

      // A hook that denies stops the grant.
      hook.reply = () => ({ status: 403 })
      const denied = await tokenRequest(env, client, {
        assertion: await new SignJWT({ iss: 'https://hooked.example', sub: 'dana', aud: tokenUrl, jti: randomUUID(), iat: now, exp: now + 60 })
          .setProtectedHeader({ alg: 'ES256', kid: 'h' })
          .sign(privateKey),
      })
      expect(denied.statusCode).toBe(403)
    })
  })
}
