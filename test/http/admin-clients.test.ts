import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

for (const t of testDatabases()) {
  describe(`admin client API on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      env.admin.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) })

    it('creates a client with Hydra defaults and returns the secret once', async () => {
      const res = await call('POST', '/admin/clients', { client_name: 'Demo', grant_types: ['client_credentials'] })
      expect(res.statusCode).toBe(201)
      const body = res.json()
      expect(body.client_id).toMatch(UUID)
      expect(body.client_secret).toMatch(/^.{26}$/)
      expect(body.client_name).toBe('Demo')
      expect(body.grant_types).toEqual(['client_credentials'])
      expect(body.response_types).toEqual(['code'])
      expect(body.scope).toBe('offline_access offline openid')
      expect(body.token_endpoint_auth_method).toBe('client_secret_basic')
      expect(Date.parse(body.created_at)).not.toBeNaN()

      const got = await call('GET', `/admin/clients/${body.client_id}`)
      expect(got.statusCode).toBe(200)
      expect(got.json().client_secret).toBeUndefined()
      expect(got.json().client_name).toBe('Demo')

      // Only a hash is stored.
      const row = await env.registry.db.kysely
        .selectFrom('hydra_client')
        .select('client_secret')
        .where('id', '=', body.client_id)
        .executeTakeFirstOrThrow()
      expect(row.client_secret).not.toContain(body.client_secret)
      expect(row.client_secret.startsWith('$pbkdf2-sha256$')).toBe(true)
    })

    it('honours a client_id and secret given by the admin, and refuses a duplicate id', async () => {
      const res = await call('POST', '/admin/clients', { client_id: 'my-app', client_secret: 'a-secret-value' })
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ client_id: 'my-app', client_secret: 'a-secret-value' })
      const dup = await call('POST', '/admin/clients', { client_id: 'my-app' })
      expect(dup.statusCode).toBe(409)
      expect(dup.json().error).toBeTypeOf('string')
    })

    it('creates public clients without a secret', async () => {
      const res = await call('POST', '/admin/clients', { token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1:8080/cb'] })
      expect(res.statusCode).toBe(201)
      expect(res.json().client_secret).toBeUndefined()
    })

    it('answers 404 in Hydra shape for an unknown id, on every verb', async () => {
      for (const [method, payload] of [['GET'], ['PUT', {}], ['PATCH', []], ['DELETE']] as const) {
        const res = await call(method, '/admin/clients/does-not-exist', payload)
        expect(res.statusCode, method).toBe(404)
        expect(res.json()).toMatchObject({ error: 'Unable to locate the resource', status_code: 404 })
      }
    })

    it('replaces a client with PUT, keeping the secret unless a new one is given', async () => {
      const created = (await call('POST', '/admin/clients', { client_name: 'before', scope: 'a b' })).json()
      const put = await call('PUT', `/admin/clients/${created.client_id}`, { client_name: 'after', redirect_uris: ['https://app.example/cb'] })
      expect(put.statusCode).toBe(200)
      expect(put.json()).toMatchObject({ client_id: created.client_id, client_name: 'after', redirect_uris: ['https://app.example/cb'] })
      expect(put.json().client_secret).toBeUndefined()
      expect(put.json().created_at).toBe(created.created_at)
      const withSecret = await call('PUT', `/admin/clients/${created.client_id}`, { client_secret: 'brand-new-secret' })
      expect(withSecret.json().client_secret).toBe('brand-new-secret')
      // The id in the path wins over one in the body.
      const other = await call('PUT', `/admin/clients/${created.client_id}`, { client_id: 'other' })
      expect(other.json().client_id).toBe(created.client_id)
    })

    it('patches with RFC 6902 JSON Patch', async () => {
      const created = (await call('POST', '/admin/clients', { client_name: 'p', redirect_uris: ['https://a.example/cb'] })).json()
      const url = `/admin/clients/${created.client_id}`
      const ok = await call('PATCH', url, [
        { op: 'replace', path: '/client_name', value: 'patched' },
        { op: 'add', path: '/redirect_uris/-', value: 'https://b.example/cb' },
        { op: 'test', path: '/owner', value: '' },
      ])
      expect(ok.statusCode).toBe(200)
      expect(ok.json()).toMatchObject({ client_name: 'patched', redirect_uris: ['https://a.example/cb', 'https://b.example/cb'] })
      expect(ok.json().client_secret).toBeUndefined()

      const secret = await call('PATCH', url, [{ op: 'replace', path: '/client_secret', value: 'patched-secret' }])
      expect(secret.json().client_secret).toBe('patched-secret')

      const failedTest = await call('PATCH', url, [{ op: 'test', path: '/client_name', value: 'nope' }])
      expect(failedTest.statusCode).toBe(400)
      expect(failedTest.json().error).toBe('invalid_request')

      const idChange = await call('PATCH', url, [{ op: 'replace', path: '/client_id', value: 'x' }])
      expect(idChange.statusCode).toBe(400)

      const notAPatch = await call('PATCH', url, { client_name: 'x' })
      expect(notAPatch.statusCode).toBe(400)
      const badOp = await call('PATCH', url, [{ op: 'explode', path: '/client_name' }])
      expect(badOp.statusCode).toBe(400)
      const invalidResult = await call('PATCH', url, [{ op: 'add', path: '/redirect_uris/-', value: 'javascript:alert(1)' }])
      expect(invalidResult.statusCode).toBe(400)

      expect((await call('GET', url)).json().client_name).toBe('patched')
    })

    it('sets token lifespans', async () => {
      const created = (await call('POST', '/admin/clients', {})).json()
      const res = await call('PUT', `/admin/clients/${created.client_id}/lifespans`, {
        client_credentials_grant_access_token_lifespan: '2h',
        authorization_code_grant_id_token_lifespan: '90m',
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().client_credentials_grant_access_token_lifespan).toBe('2h0m0s')
      expect(res.json().authorization_code_grant_id_token_lifespan).toBe('1h30m0s')
      expect(res.json().refresh_token_grant_refresh_token_lifespan).toBeNull()
      const bad = await call('PUT', `/admin/clients/${created.client_id}/lifespans`, { implicit_grant_id_token_lifespan: 'soon' })
      expect(bad.statusCode).toBe(400)
    })

    it('deletes', async () => {
      const created = (await call('POST', '/admin/clients', {})).json()
      const del = await call('DELETE', `/admin/clients/${created.client_id}`)
      expect(del.statusCode).toBe(204)
      expect(del.body).toBe('')
      expect((await call('GET', `/admin/clients/${created.client_id}`)).statusCode).toBe(404)
      expect((await call('DELETE', `/admin/clients/${created.client_id}`)).statusCode).toBe(404)
    })

    it('paginates with page_size, page_token, Link and X-Total-Count, and filters', async () => {
      const owner = `pager-${t.name}`
      for (let i = 0; i < 5; i++) {
        await call('POST', '/admin/clients', { client_id: `page-${i}`, owner, client_name: i === 3 ? 'three' : 'n' })
      }
      const seen: string[] = []
      let url: string | undefined = `/admin/clients?page_size=2&owner=${owner}`
      let pages = 0
      while (url) {
        const res = await call('GET', url)
        expect(res.statusCode).toBe(200)
        expect(res.headers['x-total-count']).toBe('5')
        const link = String(res.headers.link)
        expect(link).toContain('rel="first"')
        seen.push(...res.json().map((c: { client_id: string }) => c.client_id))
        url = /<([^>]+)>; rel="next"/.exec(link)?.[1]
        pages++
      }
      expect(pages).toBe(3)
      expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4'])

      const byName = await call('GET', `/admin/clients?client_name=three&owner=${owner}`)
      expect(byName.json().map((c: { client_id: string }) => c.client_id)).toEqual(['page-3'])

      const all = await call('GET', '/admin/clients')
      expect(all.statusCode).toBe(200)
      expect(Number(all.headers['x-total-count'])).toBeGreaterThanOrEqual(5)
      expect(all.json().every((c: Record<string, unknown>) => !('client_secret' in c))).toBe(true)

      const huge = await call('GET', '/admin/clients?page_size=100000')
      expect(huge.statusCode).toBe(200)
      expect(String(huge.headers.link)).toContain('page_size=500')

      for (const q of ['page_size=0', 'page_size=-1', 'page_size=abc', 'page_token=garbage', 'page_size=1&page_size=2']) {
        const bad = await call('GET', `/admin/clients?${q}`)
        expect(bad.statusCode, q).toBe(400)
        expect(bad.json().error).toBe('invalid_request')
      }
    })

    it('answers without the /admin prefix and with a trailing slash', async () => {
      expect((await call('GET', '/clients')).statusCode).toBe(200)
      expect((await call('GET', '/admin/clients/')).statusCode).toBe(200)
      expect((await call('POST', '/clients', {})).statusCode).toBe(201)
    })

    it('rejects bad input with a clear 4xx, never a 500', async () => {
      const malformed = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { 'content-type': 'application/json' },
        payload: '{"client_name": ',
      })
      expect(malformed.statusCode).toBe(400)
      expect(malformed.json()).toMatchObject({ error: 'invalid_request' })
      expect(malformed.json().error_description).toMatch(/JSON/)

      const text = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { 'content-type': 'text/plain' },
        payload: 'client_name=x',
      })
      expect(text.statusCode).toBe(415)

      const form = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'client_name=x',
      })
      expect(form.statusCode).toBe(415)

      const huge = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ client_name: 'x'.repeat(2 * 1024 * 1024) }),
      })
      expect(huge.statusCode).toBe(413)

      const proto = await env.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { 'content-type': 'application/json' },
        payload: '{"__proto__": {"polluted": true}}',
      })
      expect(proto.statusCode).toBe(400)

      const post = (payload: unknown) =>
        env.admin.inject({ method: 'POST', url: '/admin/clients', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
      // What does not decode into Hydra's client struct is herodot's bad request, as Hydra's
      // CreateClient answers ("Unable to decode the request body: …").
      for (const payload of [[], 'str', 42, { redirect_uris: 'not-a-list' }]) {
        const res = await post(payload)
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        expect(res.json().error).toBe('The request was malformed or contained invalid parameters')
        expect(res.json().error_description).toMatch(/^Unable to decode the request body: /)
      }
      for (const payload of [null, { grant_types: ['password'] }, { token_endpoint_auth_method: 'magic' }]) {
        const res = await post(payload)
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        expect(res.json().error).toMatch(/^invalid_/)
        expect(res.json().error_description).toBeTypeOf('string')
      }

      for (const uri of ['javascript:alert(1)', 'data:text/html,hi', 'https://app.example/cb#frag', 'not a url']) {
        const res = await call('POST', '/admin/clients', { redirect_uris: [uri] })
        expect(res.statusCode, uri).toBe(400)
        expect(res.json().error, uri).toBe('invalid_redirect_uri')
      }

      const noRoute = await call('GET', '/admin/nothing-here')
      expect(noRoute.statusCode).toBe(404)
      expect(noRoute.json().error).toBeTypeOf('string')
    })

    it('serves health and version', async () => {
      for (const app of [env.admin, env.public]) {
        expect((await app.inject({ method: 'GET', url: '/health/alive' })).json()).toEqual({ status: 'ok' })
        expect((await app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ok' })
      }
      const v = await env.admin.inject({ method: 'GET', url: '/version' })
      expect(v.json().version).toMatch(/^v\d+\.\d+\.\d+/)
      const res = await env.admin.inject({ method: 'GET', url: '/health/alive', headers: { 'x-request-id': 'trace-123' } })
      expect(res.headers['x-request-id']).toBe('trace-123')
    })
  })
}

describe('admin client API outside dev mode', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(testDatabases()[0]!, { URLS_SELF_ISSUER: 'https://auth.example.com' }, { dev: false })
  })
  afterAll(async () => env.close())

  it('allows plain-HTTP redirect URIs only for loopback hosts', async () => {
    const post = (uri: string) => env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { redirect_uris: [uri] } })
    expect((await post('http://evil.example/cb')).statusCode).toBe(400)
    expect((await post('http://127.0.0.1:5555/cb')).statusCode).toBe(201)
    expect((await post('https://app.example/cb')).statusCode).toBe(201)
  })
})

describe('admin client API with the bcrypt hasher', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(testDatabases()[0]!, { OAUTH2_HASHERS_ALGORITHM: 'bcrypt', OAUTH2_HASHERS_BCRYPT_COST: '4' })
  })
  afterAll(async () => env.close())

  // bcrypt reads only the first 72 bytes: a longer secret would authenticate by its prefix.
  const TOO_LONG = {
    error: 'invalid_client_metadata',
    error_description:
      'The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client\'s Metadata. Field client_secret must not be longer than 72 bytes because the configured bcrypt hasher would ignore the rest.',
    error_hint: 'Field client_secret must not be longer than 72 bytes because the configured bcrypt hasher would ignore the rest.',
    status_code: 400,
  }

  it('refuses a client secret longer than 72 bytes on create, replace and patch, in bytes not characters', async () => {
    const create = (client_secret: string) => env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_secret } })
    for (const secret of ['a'.repeat(73), '€'.repeat(25)]) {
      const res = await create(secret)
      expect(res.statusCode).toBe(400)
      const { request_id: _id, ...body } = res.json() as Record<string, unknown>
      expect(body).toEqual(TOO_LONG)
    }
    const ok = await create('a'.repeat(72))
    expect(ok.statusCode).toBe(201)
    const id = ok.json().client_id as string

    const put = await env.admin.inject({ method: 'PUT', url: `/admin/clients/${id}`, payload: { client_secret: 'b'.repeat(73) } })
    expect(put.statusCode).toBe(400)
    const { request_id: _put, ...putBody } = put.json() as Record<string, unknown>
    expect(putBody).toEqual(TOO_LONG)

    const patch = await env.admin.inject({
      method: 'PATCH',
      url: `/admin/clients/${id}`,
      payload: [{ op: 'replace', path: '/client_secret', value: 'c'.repeat(73) }],
    })
    expect(patch.statusCode).toBe(400)
    const { request_id: _patch, ...patchBody } = patch.json() as Record<string, unknown>
    expect(patchBody).toEqual(TOO_LONG)
  })
})
