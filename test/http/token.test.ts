import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

interface Creds {
  id: string
  secret: string
}

for (const t of testDatabases()) {
  describe(`client_credentials over HTTP on ${t.name}`, () => {
    let env: TestApps
    let machine: Creds
    let other: Creds

    beforeAll(async () => {
      env = await testApps(t)
      machine = await createClient({ scope: 'read write foo.*', audience: ['https://api.example', 'urn:other'] })
      other = await createClient({ scope: 'read' })
    })
    afterAll(async () => env.close())

    async function createClient(body: Record<string, unknown>): Promise<Creds> {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: ['client_credentials'], ...body } })
      expect(res.statusCode).toBe(201)
      return { id: res.json().client_id, secret: res.json().client_secret }
    }

    const token = (c: Creds, form: string, headers: Record<string, string> = {}) =>
      env.public.inject({ method: 'POST', url: '/oauth2/token', headers: { ...FORM, authorization: basic(c.id, c.secret), ...headers }, payload: form })

    const issue = async (c: Creds, form = 'grant_type=client_credentials&scope=read'): Promise<string> => {
      const res = await token(c, form)
      expect(res.statusCode, res.body).toBe(200)
      return res.json().access_token
    }

    const introspect = async (value: string, extra = '', prefix = '/admin') => {
      const res = await env.admin.inject({
        method: 'POST',
        url: `${prefix}/oauth2/introspect`,
        headers: FORM,
        payload: `token=${encodeURIComponent(value)}${extra}`,
      })
      expect(res.statusCode, res.body).toBe(200)
      return res.json()
    }

    const revoke = (c: Creds, value: string, extra = '') =>
      env.public.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { ...FORM, authorization: basic(c.id, c.secret) },
        payload: `token=${encodeURIComponent(value)}${extra}`,
      })

    it('issues an opaque access token with no-store headers', async () => {
      const res = await token(machine, 'grant_type=client_credentials&scope=read%20foo.bar&audience=https%3A%2F%2Fapi.example')
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers.pragma).toBe('no-cache')
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type'])
      expect(body.access_token).toMatch(/^ory_at_[\w-]{43}\.[\w-]{43}$/)
      expect(body).toMatchObject({ expires_in: 3600, scope: 'read foo.bar', token_type: 'bearer' })

      const info = await introspect(body.access_token)
      expect(info).toMatchObject({
        active: true,
        client_id: machine.id,
        sub: machine.id,
        scope: 'read foo.bar',
        aud: ['https://api.example'],
        token_type: 'Bearer',
        token_use: 'access_token',
        iss: env.registry.config.urls.self.issuer.replace(/\/*$/, '/'),
      })
      expect(info.exp - info.iat).toBe(3600)
      expect(info.nbf).toBe(info.iat)
      // Admin routes answer without the /admin prefix too.
      expect((await introspect(body.access_token, '', '')).active).toBe(true)
    })

    it('grants no scope when none is asked for', async () => {
      const res = await token(machine, 'grant_type=client_credentials')
      expect(res.json().scope).toBe('')
      const info = await introspect(res.json().access_token)
      expect(info.active).toBe(true)
      expect(info.scope).toBeUndefined()
      expect(info.aud).toBeUndefined()
    })

    it('introspection with scope requires every listed scope', async () => {
      const access = await issue(machine, 'grant_type=client_credentials&scope=read%20foo.bar')
      expect((await introspect(access, '&scope=read')).active).toBe(true)
      expect((await introspect(access, '&scope=read%20foo.bar')).active).toBe(true)
      expect(await introspect(access, '&scope=write')).toEqual({ active: false })
      expect(await introspect(access, '&scope=read%20write')).toEqual({ active: false })
    })

    it('answers inactive for garbage, never an error', async () => {
      const access = await issue(machine)
      const tampered = `${access.slice(0, -2)}${access.endsWith('AA') ? 'BB' : 'AA'}`
      for (const value of ['', 'garbage', 'ory_at_x.y', 'ory_rt_', tampered, 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'a.b.c', 'x'.repeat(5000), '%00']) {
        expect(await introspect(value), value.slice(0, 40)).toEqual({ active: false })
      }
    })

    it('revokes a token: it then introspects inactive', async () => {
      const access = await issue(machine)
      const res = await revoke(machine, access, '&token_type_hint=access_token')
      expect(res.statusCode).toBe(200)
      expect(res.body).toBe('')
      expect(await introspect(access)).toEqual({ active: false })
      // Revoking again, or something unknown, is still a success (RFC 7009 §2.2).
      expect((await revoke(machine, access)).statusCode).toBe(200)
      expect((await revoke(machine, 'not-a-token', '&token_type_hint=refresh_token')).statusCode).toBe(200)
    })

    it('does not let a client revoke another client\'s token, and does not tell it so', async () => {
      const access = await issue(machine)
      expect((await revoke(other, access)).statusCode).toBe(200)
      expect((await introspect(access)).active).toBe(true)
    })

    it('refuses revocation without valid client credentials or without a token', async () => {
      const access = await issue(machine)
      const res = await revoke({ id: machine.id, secret: 'wrong' }, access)
      expect(res.statusCode).toBe(401)
      expect(res.json().error).toBe('invalid_client')
      expect((await introspect(access)).active).toBe(true)
      const missing = await env.public.inject({ method: 'POST', url: '/oauth2/revoke', headers: { ...FORM, authorization: basic(machine.id, machine.secret) }, payload: '' })
      expect(missing.statusCode).toBe(400)
      expect(missing.json().error).toBe('invalid_request')
    })

    it('refuses scopes and audiences the client may not have', async () => {
      const scope = await token(machine, 'grant_type=client_credentials&scope=admin')
      expect(scope.statusCode).toBe(400)
      expect(scope.json()).toMatchObject({ error: 'invalid_scope' })
      expect(scope.json().error_description).toContain("'admin'")
      expect(scope.headers['cache-control']).toBe('no-store')
      const wildcard = await token(machine, 'grant_type=client_credentials&scope=foo')
      expect(wildcard.json().error).toBe('invalid_scope')
      const audience = await token(machine, 'grant_type=client_credentials&audience=https%3A%2F%2Fevil.example')
      expect(audience.statusCode).toBe(400)
      expect(audience.json()).toMatchObject({ error: 'invalid_request' })
      expect(audience.json().error_description).toContain('has not been whitelisted')
    })

    it('accepts several audiences, space-separated or repeated (RFC 8693)', async () => {
      for (const form of ['audience=https%3A%2F%2Fapi.example%20urn%3Aother', 'audience=https%3A%2F%2Fapi.example&audience=urn%3Aother']) {
        const access = await issue(machine, `grant_type=client_credentials&${form}`)
        expect((await introspect(access)).aud).toEqual(['https://api.example', 'urn:other'])
      }
    })

    it('refuses malformed requests with invalid_request or unsupported_grant_type', async () => {
      const cases: Array<[string, string, number]> = [
        ['grant_type=client_credentials&grant_type=client_credentials', 'invalid_request', 400],
        ['grant_type=client_credentials&scope=read&scope=write', 'invalid_request', 400],
        ['scope=read', 'invalid_request', 400],
        ['grant_type=', 'invalid_request', 400],
        ['grant_type=password', 'unsupported_grant_type', 400],
        ['grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer&assertion=x', 'unsupported_grant_type', 400],
        ['grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=x', 'unauthorized_client', 400],
        // A grant the server has but this client was not registered for (RFC 6749 §5.2).
        ['grant_type=authorization_code&code=x', 'unauthorized_client', 400],
      ]
      for (const [form, error, status] of cases) {
        const res = await token(machine, form)
        expect(res.statusCode, form).toBe(status)
        expect(res.json().error, form).toBe(error)
      }
    })

    it('refuses bodies that are not form-encoded', async () => {
      for (const [type, payload] of [
        ['application/json', JSON.stringify({ grant_type: 'client_credentials' })],
        ['text/plain', 'grant_type=client_credentials'],
        ['application/xml', '<grant_type/>'],
      ] as const) {
        const res = await token(machine, payload, { 'content-type': type })
        expect(res.statusCode, type).toBe(400)
        expect(res.json().error, type).toBe('invalid_request')
      }
    })

    it('answers invalid_client with a Basic challenge, and unauthorized_client for a grant the client lacks', async () => {
      const res = await token({ id: machine.id, secret: 'wrong-secret' }, 'grant_type=client_credentials')
      expect(res.statusCode).toBe(401)
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="/)
      expect(res.json().error).toBe('invalid_client')
      const post = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: FORM,
        payload: `grant_type=client_credentials&client_id=${machine.id}&client_secret=${machine.secret}`,
      })
      expect(post.statusCode).toBe(401)
      expect(post.headers['www-authenticate']).toBeUndefined()
      const codeOnly = await createClient({ grant_types: ['authorization_code'], redirect_uris: ['https://app.example/cb'] })
      const denied = await token(codeOnly, 'grant_type=client_credentials')
      expect(denied.statusCode).toBe(400)
      expect(denied.json().error).toBe('unauthorized_client')
    })

    it('honours the client\'s client_credentials lifespan', async () => {
      const short = await createClient({ scope: 'read' })
      const set = await env.admin.inject({
        method: 'PUT',
        url: `/admin/clients/${short.id}/lifespans`,
        payload: { client_credentials_grant_access_token_lifespan: '15m' },
      })
      expect(set.statusCode).toBe(200)
      const res = await token(short, 'grant_type=client_credentials')
      expect(res.json().expires_in).toBe(900)
      const info = await introspect(res.json().access_token)
      expect(info.exp - info.iat).toBe(900)
    })

    it('issues JWT access tokens for a client with access_token_strategy jwt', async () => {
      const jwtClient = await createClient({ scope: 'read', audience: ['https://api.example'], access_token_strategy: 'jwt' })
      const access = await issue(jwtClient, 'grant_type=client_credentials&scope=read&audience=https%3A%2F%2Fapi.example')
      expect(decodeProtectedHeader(access).typ).toBe('at+jwt')
      const jwks = (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet
      const { payload } = await jwtVerify(access, createLocalJWKSet(jwks), {
        issuer: env.registry.config.urls.self.issuer,
        audience: 'https://api.example',
        typ: 'at+jwt',
      })
      expect(payload).toMatchObject({ sub: jwtClient.id, client_id: jwtClient.id, scp: ['read'], aud: ['https://api.example'] })
      expect(payload.exp! - payload.iat!).toBe(3600)

      expect(await introspect(access)).toMatchObject({ active: true, client_id: jwtClient.id, token_use: 'access_token' })
      // The stored row is found by the signature alone: a doctored payload must not ride on it.
      const [header, body, signature] = access.split('.') as [string, string, string]
      const doctored = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), scp: ['admin'] })).toString('base64url')
      expect(await introspect(`${header}.${doctored}.${signature}`)).toEqual({ active: false })
      expect((await revoke(jwtClient, access)).statusCode).toBe(200)
      expect(await introspect(access)).toEqual({ active: false })
    })

    it('keeps no usable token in the database', async () => {
      const issued = [await issue(machine), await issue(other)]
      const rows = await env.registry.db.kysely.selectFrom('hydra_oauth2_access').selectAll().execute()
      expect(rows.length).toBeGreaterThanOrEqual(2)
      const dump = JSON.stringify(rows)
      for (const access of issued) {
        const key = access.slice('ory_at_'.length).split('.')[0]!
        expect(dump).not.toContain(access)
        expect(dump).not.toContain(key)
        const signature = access.split('.')[1]!
        expect(rows.some((r) => r.signature === signature)).toBe(true)
      }
    })

    it('serves 50 concurrent token requests', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => token(machine, 'grant_type=client_credentials&scope=read')))
      expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
      expect(new Set(results.map((r) => r.json().access_token)).size).toBe(50)
    })

    it('deletes all tokens of a client through the admin API', async () => {
      const victim = await createClient({ scope: 'read' })
      const tokens = [await issue(victim), await issue(victim)]
      const bystander = await issue(other)
      const res = await env.admin.inject({ method: 'DELETE', url: `/admin/oauth2/tokens?client_id=${encodeURIComponent(victim.id)}` })
      expect(res.statusCode).toBe(204)
      for (const access of tokens) expect(await introspect(access)).toEqual({ active: false })
      expect((await introspect(bystander)).active).toBe(true)
      const missing = await env.admin.inject({ method: 'DELETE', url: '/oauth2/tokens' })
      expect(missing.statusCode).toBe(400)
      expect(missing.json().error).toBe('invalid_request')
    })

    it('introspection wants a form with a token; the rest of the admin API stays JSON-only', async () => {
      const json = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', payload: { token: 'x' } })
      expect(json.statusCode).toBe(400)
      expect(json.json().error).toBe('invalid_request')
      const noToken = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: 'scope=read' })
      expect(noToken.statusCode).toBe(400)
      const formClient = await env.admin.inject({ method: 'POST', url: '/admin/clients', headers: FORM, payload: 'client_name=x' })
      expect(formClient.statusCode).toBe(415)
    })
  })
}

describe('client_credentials with server-wide settings', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(testDatabases()[0]!, {
      OAUTH2_CLIENT_CREDENTIALS_DEFAULT_GRANT_ALLOWED_SCOPE: 'true',
      STRATEGIES_ACCESS_TOKEN: 'jwt',
      STRATEGIES_JWT_SCOPE_CLAIM: 'both',
      TTL_ACCESS_TOKEN: '10m',
    })
  })
  afterAll(async () => env.close())

  it('grants every client scope for an empty request and issues JWTs by default', async () => {
    const created = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: ['client_credentials'], scope: 'a b' } })
    const { client_id: id, client_secret: secret } = created.json()
    const res = await env.public.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: basic(id, secret) },
      payload: 'grant_type=client_credentials',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ scope: 'a b', expires_in: 600, token_type: 'bearer' })
    const claims = (await env.registry.keyRing.verify('hydra.jwt.access-token', res.json().access_token)).payload
    expect(claims).toMatchObject({ scp: ['a', 'b'], scope: 'a b', sub: id })
  })
})
