import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

const ENABLED = { OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' }
const REDIRECT = 'http://127.0.0.1:9999/cb'

/** Serves `documents[path]` as JSON on 127.0.0.1, counting requests. */
async function sectorServer(documents: Record<string, unknown>): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    const doc = documents[req.url ?? '']
    if (doc === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server }
}

for (const t of testDatabases()) {
  describe(`dynamic client registration disabled on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    it('answers 404 in the error shape and is not advertised', async () => {
      for (const [method, url] of [['POST', '/oauth2/register'], ['GET', '/oauth2/register/x'], ['PUT', '/oauth2/register/x'], ['DELETE', '/oauth2/register/x']] as const) {
        const res = await env.public.inject({ method, url, payload: method === 'POST' || method === 'PUT' ? {} : undefined })
        expect(res.statusCode, `${method} ${url}`).toBe(404)
        expect(res.json()).toMatchObject({ error: expect.any(String), status_code: 404 })
      }
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      expect(doc).not.toHaveProperty('registration_endpoint')
    })
  })

  describe(`dynamic client registration on ${t.name}`, () => {
    let env: TestApps
    let sector: Awaited<ReturnType<typeof sectorServer>>
    beforeAll(async () => {
      env = await testApps(t, {
        ...ENABLED,
        OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise',
        OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'a-long-enough-pairwise-salt',
        // Machine clients are allowed here explicitly; the default policy is tested below.
        OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_GRANT_TYPES: 'authorization_code,refresh_token,implicit,client_credentials',
      })
      sector = await sectorServer({ '/sector.json': [REDIRECT, 'http://127.0.0.1:9998/cb'], '/other.json': ['https://elsewhere.example/cb'], '/object.json': { uris: [REDIRECT] } })
    })
    afterAll(async () => {
      sector.server.close()
      await env.close()
    })

    const register = (payload: unknown, headers: Record<string, string> = {}) =>
      env.public.inject({ method: 'POST', url: '/oauth2/register', payload: payload as object, headers })
    const withToken = (method: 'GET' | 'PUT' | 'DELETE', id: string, token: string | undefined, payload?: unknown) =>
      env.public.inject({
        method,
        url: `/oauth2/register/${id}`,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      })

    it('is advertised in discovery', async () => {
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      const path = new URL(doc.registration_endpoint as string).pathname
      expect(path).toBe('/oauth2/register')
    })

    it('registers a client with generated credentials and a registration access token', async () => {
      const res = await register({ client_name: 'dyn', redirect_uris: [REDIRECT] })
      expect(res.statusCode).toBe(201)
      expect(res.headers['cache-control']).toBe('no-store')
      const body = res.json()
      expect(body.client_id).toMatch(/^[0-9a-f-]{36}$/)
      expect(body.client_secret).toMatch(/^.{26}$/)
      expect(body.registration_access_token).toMatch(/^ory_rat_/)
      expect(body.registration_client_uri).toBe(`${env.registry.config.urls.self.public.replace(/\/$/, '')}/oauth2/register/${body.client_id}`)
      expect(body.scope).toBe('offline_access offline openid')
      expect(body).not.toHaveProperty('metadata')

      // Only a keyed hash of the token is stored.
      const row = await env.registry.db.kysely
        .selectFrom('hydra_client')
        .select('registration_access_token_signature')
        .where('id', '=', body.client_id)
        .executeTakeFirstOrThrow()
      expect(row.registration_access_token_signature).toMatch(/^[0-9a-f]{64}$/)
      expect(row.registration_access_token_signature).not.toContain(body.registration_access_token)

      // The client can use its secret at the token endpoint right away (as admin-created ones).
      const got = await withToken('GET', body.client_id, body.registration_access_token)
      expect(got.statusCode).toBe(200)
      expect(got.json()).toMatchObject({ client_id: body.client_id, client_name: 'dyn', registration_client_uri: body.registration_client_uri })
      expect(got.json().client_secret).toBeUndefined()
      expect(got.json().registration_access_token).toBeUndefined()
    })

    it('issues no secret to a public client', async () => {
      const res = await register({ token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] })
      expect(res.statusCode).toBe(201)
      expect(res.json().client_secret).toBeUndefined()
      expect(res.json().registration_access_token).toBeTypeOf('string')
    })

    it('refuses a chosen client_id or client_secret, and fields reserved to administrators', async () => {
      for (const extra of [
        { client_id: 'mine' },
        { client_secret: 'a-very-long-chosen-secret' },
        { metadata: { tier: 'gold' } },
        { skip_consent: true },
        { skip_logout_consent: true },
        { access_token_strategy: 'jwt' },
        { authorization_code_grant_access_token_lifespan: '1h' },
      ]) {
        const res = await register({ redirect_uris: [REDIRECT], ...extra })
        expect(res.statusCode, JSON.stringify(extra)).toBe(400)
        expect(res.json().error).toBe('invalid_client_metadata')
      }
    })

    it('takes JSON only and never answers 500 to bad input', async () => {
      const form = await register('client_name=x', { 'content-type': 'application/x-www-form-urlencoded' })
      expect(form.statusCode).toBe(415)
      expect(form.json().error).toBeTypeOf('string')
      for (const payload of ['{', '[]', '"x"', 'null', '']) {
        const res = await register(payload, { 'content-type': 'application/json' })
        expect(res.statusCode, payload).toBe(400)
      }
      const wrongTypes = await register({ redirect_uris: 'not-a-list', contacts: [1] })
      expect(wrongTypes.statusCode).toBe(400)
    })

    it('answers 401 with an RFC 6750 challenge for a missing, wrong or foreign token', async () => {
      const a = (await register({ redirect_uris: [REDIRECT] })).json()
      const b = (await register({ redirect_uris: [REDIRECT] })).json()
      const cases: Array<[string, string | undefined]> = [
        [a.client_id, undefined],
        [a.client_id, 'ory_rat_wrong'],
        [a.client_id, b.registration_access_token],
        ['does-not-exist', a.registration_access_token],
      ]
      for (const [id, token] of cases) {
        for (const method of ['GET', 'PUT', 'DELETE'] as const) {
          const res = await withToken(method, id, token, method === 'PUT' ? { redirect_uris: [REDIRECT] } : undefined)
          expect(res.statusCode, `${method} ${id} ${token}`).toBe(401)
          expect(res.json().error).toBe('invalid_token')
          expect(res.headers['www-authenticate']).toMatch(token === undefined ? /^Bearer$/ : /^Bearer error="invalid_token"/)
        }
      }
      const basic = await env.public.inject({ method: 'GET', url: `/oauth2/register/${a.client_id}`, headers: { authorization: 'Basic eDp5' } })
      expect(basic.statusCode).toBe(401)
    })

    it('never lets a client created by an administrator be managed with a token', async () => {
      const created = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'admin-made' } })
      const id = created.json().client_id as string
      expect((await withToken('GET', id, '')).statusCode).toBe(401)
      expect((await withToken('GET', id, 'ory_rat_anything')).statusCode).toBe(401)
    })

    it('updates with PUT, rotating the registration access token', async () => {
      const m2m = { grant_types: ['client_credentials'], response_types: [] }
      const reg = (await register({ client_name: 'before', ...m2m })).json()
      const put = await withToken('PUT', reg.client_id, reg.registration_access_token, {
        client_id: reg.client_id,
        client_name: 'after',
        ...m2m,
      })
      expect(put.statusCode).toBe(200)
      const updated = put.json()
      expect(updated.client_name).toBe('after')
      expect(updated.client_secret).toBeUndefined()
      expect(updated.registration_access_token).toBeTypeOf('string')
      expect(updated.registration_access_token).not.toBe(reg.registration_access_token)

      expect((await withToken('GET', reg.client_id, reg.registration_access_token)).statusCode).toBe(401)
      const got = await withToken('GET', reg.client_id, updated.registration_access_token)
      expect(got.statusCode).toBe(200)
      expect(got.json().client_name).toBe('after')

      // The secret issued at registration still authenticates the client.
      const token = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${reg.client_id}:${reg.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'grant_type=client_credentials',
      })
      expect(token.statusCode, token.body).toBe(200)

      const renamed = await withToken('PUT', reg.client_id, updated.registration_access_token, { client_id: 'other', redirect_uris: [REDIRECT] })
      expect(renamed.statusCode).toBe(400)
      const reserved = await withToken('PUT', reg.client_id, updated.registration_access_token, { skip_consent: true })
      expect(reserved.statusCode).toBe(400)
    })

    it('keeps fields an administrator set, and hides metadata from the client', async () => {
      const reg = (await register({ redirect_uris: [REDIRECT] })).json()
      const patched = await env.admin.inject({
        method: 'PATCH',
        url: `/admin/clients/${reg.client_id}`,
        payload: [{ op: 'add', path: '/metadata', value: { internal: true } }, { op: 'replace', path: '/skip_consent', value: true }],
      })
      expect(patched.statusCode).toBe(200)
      const got = (await withToken('GET', reg.client_id, reg.registration_access_token)).json()
      expect(got).not.toHaveProperty('metadata')
      const put = await withToken('PUT', reg.client_id, reg.registration_access_token, { ...got, client_name: 'renamed' })
      expect(put.statusCode, put.body).toBe(200)
      const admin = (await env.admin.inject({ method: 'GET', url: `/admin/clients/${reg.client_id}` })).json()
      expect(admin).toMatchObject({ client_name: 'renamed', skip_consent: true, metadata: { internal: true } })
    })

    it('deletes with the token', async () => {
      const reg = (await register({ redirect_uris: [REDIRECT] })).json()
      const del = await withToken('DELETE', reg.client_id, reg.registration_access_token)
      expect(del.statusCode).toBe(204)
      expect((await env.admin.inject({ method: 'GET', url: `/admin/clients/${reg.client_id}` })).statusCode).toBe(404)
      expect((await withToken('GET', reg.client_id, reg.registration_access_token)).statusCode).toBe(401)
    })

    it('checks a sector_identifier_uri lists every redirect_uri', async () => {
      const pairwise = { subject_type: 'pairwise', redirect_uris: [REDIRECT, 'http://127.0.0.1:9998/cb'] }
      const ok = await register({ ...pairwise, sector_identifier_uri: `${sector.url}/sector.json` })
      expect(ok.statusCode, ok.body).toBe(201)
      expect(ok.json()).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${sector.url}/sector.json` })

      for (const path of ['/other.json', '/object.json', '/missing.json']) {
        const res = await register({ ...pairwise, sector_identifier_uri: `${sector.url}${path}` })
        expect(res.statusCode, path).toBe(400)
        expect(res.json().error).toBe('invalid_client_metadata')
      }
      // Only the registered document is ever fetched.
      expect(sector.hits).toEqual(['/sector.json', '/other.json', '/object.json', '/missing.json'])
    })
  })

  describe(`dynamic client registration policy on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, ENABLED)
    })
    afterAll(async () => env.close())

    const register = (payload: object) => env.public.inject({ method: 'POST', url: '/oauth2/register', payload })
    const refused = (res: { statusCode: number; json: () => { error: string; error_description: string } }, named: string) => {
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toBe('invalid_client_metadata')
      expect(res.json().error_description).toContain(named)
    }

    it('gives an anonymous registrant the browser grants, the default scope and no audience only', async () => {
      for (const grant of ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange']) {
        refused(await register({ grant_types: [grant], response_types: [] }), `"${grant}"`)
      }
      refused(await register({ redirect_uris: [REDIRECT], scope: 'openid admin:all' }), '"admin:all"')
      refused(await register({ redirect_uris: [REDIRECT], audience: ['https://api.example.com'] }), '"https://api.example.com"')

      const ok = await register({ redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', 'implicit'], response_types: ['code', 'id_token'], scope: 'openid offline' })
      expect(ok.statusCode, ok.body).toBe(201)
      expect(ok.json()).toMatchObject({ scope: 'openid offline', audience: [] })
      // Nothing was created by the refused attempts: no machine client can get a token.
      const token = await env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${ok.json().client_id}:${ok.json().client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'grant_type=client_credentials',
      })
      expect(token.statusCode).not.toBe(200)
    })

    it('holds on the client’s own update, and not for clients an administrator creates', async () => {
      const reg = (await register({ redirect_uris: [REDIRECT] })).json()
      const put = (payload: object) =>
        env.public.inject({ method: 'PUT', url: `/oauth2/register/${reg.client_id}`, headers: { authorization: `Bearer ${reg.registration_access_token}` }, payload })
      refused(await put({ client_id: reg.client_id, redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'client_credentials'] }), '"client_credentials"')
      refused(await put({ client_id: reg.client_id, redirect_uris: [REDIRECT], scope: 'openid payments' }), '"payments"')
      refused(await put({ client_id: reg.client_id, redirect_uris: [REDIRECT], audience: ['https://api.example.com'] }), '"https://api.example.com"')
      const stored = (await env.admin.inject({ method: 'GET', url: `/admin/clients/${reg.client_id}` })).json()
      expect(stored).toMatchObject({ grant_types: ['authorization_code'], scope: 'offline_access offline openid', audience: [] })

      const admin = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        payload: { grant_types: ['client_credentials'], response_types: [], scope: 'payments', audience: ['https://api.example.com'] },
      })
      expect(admin.statusCode, admin.body).toBe(201)
    })

    it('follows the configured lists', async () => {
      const custom = await testApps(t, {
        ...ENABLED,
        OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_GRANT_TYPES: 'client_credentials',
        OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_SCOPES: 'read,write',
        OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_AUDIENCES: 'https://api.example.com',
      })
      try {
        const res = await custom.public.inject({
          method: 'POST',
          url: '/oauth2/register',
          payload: { grant_types: ['client_credentials'], response_types: [], scope: 'read', audience: ['https://api.example.com'] },
        })
        expect(res.statusCode, res.body).toBe(201)
        const browser = await custom.public.inject({ method: 'POST', url: '/oauth2/register', payload: { redirect_uris: [REDIRECT], scope: 'read' } })
        refused(browser, '"authorization_code"')
        // default_scope is still filled in for a registrant naming none, and must then be allowed.
        const none = await custom.public.inject({ method: 'POST', url: '/oauth2/register', payload: { grant_types: ['client_credentials'], response_types: [] } })
        refused(none, '"offline_access"')
      } finally {
        await custom.close()
      }
    })
  })
}
