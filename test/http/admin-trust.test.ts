// /admin/trust/grants/jwt-bearer/issuers over HTTP (in-process), on every configured database.
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'

const BASE = '/admin/trust/grants/jwt-bearer/issuers'
const FUTURE = '2099-01-02T03:04:05Z'

for (const t of testDatabases()) {
  describe(`trust relationship admin API on ${t.name}`, () => {
    let env: TestApps
    let publicKey: JWK
    let privateKey: JWK

    beforeAll(async () => {
      env = await testApps(t)
      const pair = await generateKeyPair('ES256', { extractable: true })
      publicKey = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }
      privateKey = { ...(await exportJWK(pair.privateKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }
    })
    afterAll(async () => env.close())

    const create = (payload: unknown, url = BASE) => env.admin.inject({ method: 'POST', url, payload: payload as object })
    const body = (over: Record<string, unknown> = {}) => ({
      issuer: 'https://idp.example',
      subject: 'alice@example.com',
      scope: ['read', 'write'],
      jwk: publicKey,
      expires_at: FUTURE,
      ...over,
    })

    it('creates, gets and deletes a relationship in the contract shape', async () => {
      const res = await create(body())
      expect(res.statusCode, res.body).toBe(201)
      const created = res.json()
      expect(Object.keys(created).sort()).toEqual(
        ['allow_any_subject', 'created_at', 'expires_at', 'id', 'issuer', 'public_key', 'scope', 'subject'].sort(),
      )
      expect(created).toMatchObject({
        issuer: 'https://idp.example',
        subject: 'alice@example.com',
        allow_any_subject: false,
        scope: ['read', 'write'],
        public_key: { set: 'https://idp.example', kid: 'key-1' },
        expires_at: FUTURE,
      })
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(Math.abs(Date.parse(created.created_at) - Date.now())).toBeLessThan(60_000)

      const got = await env.admin.inject({ method: 'GET', url: `${BASE}/${created.id}` })
      expect(got.statusCode).toBe(200)
      expect(got.json()).toEqual(created)
      // Every admin route also answers without the /admin prefix.
      const bare = await env.admin.inject({ method: 'GET', url: `/trust/grants/jwt-bearer/issuers/${created.id}` })
      expect(bare.json()).toEqual(created)

      const del = await env.admin.inject({ method: 'DELETE', url: `${BASE}/${created.id}` })
      expect(del.statusCode).toBe(204)
      const gone = await env.admin.inject({ method: 'GET', url: `${BASE}/${created.id}` })
      expect(gone.statusCode).toBe(404)
      expect(gone.json()).toMatchObject({ status_code: 404 })
      const again = await env.admin.inject({ method: 'DELETE', url: `${BASE}/${created.id}` })
      expect(again.statusCode).toBe(404)
    })

    it('answers 404 for unknown and malformed ids', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        expect((await env.admin.inject({ method: 'GET', url: `${BASE}/${id}` })).statusCode).toBe(404)
        expect((await env.admin.inject({ method: 'DELETE', url: `${BASE}/${id}` })).statusCode).toBe(404)
      }
    })

    it('creates relationships allowing any subject, without the /admin prefix too', async () => {
      const res = await create(body({ issuer: 'https://any.example', subject: undefined, allow_any_subject: true, scope: [] }), '/trust/grants/jwt-bearer/issuers')
      expect(res.statusCode, res.body).toBe(201)
      expect(res.json()).toMatchObject({ subject: '', allow_any_subject: true, scope: [] })
    })

    it('refuses a duplicate issuer + subject + key with 409', async () => {
      const first = await create(body({ issuer: 'https://dup.example' }))
      expect(first.statusCode).toBe(201)
      const dup = await create(body({ issuer: 'https://dup.example', scope: ['other'] }))
      expect(dup.statusCode).toBe(409)
      expect(dup.json()).toMatchObject({ status_code: 409 })
      // Another subject with the same key is a different relationship.
      expect((await create(body({ issuer: 'https://dup.example', subject: 'bob' }))).statusCode).toBe(201)
    })

    it('refuses bad input with 400 in the error shape', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [body({ issuer: undefined }), /'issuer' is required/],
        [body({ issuer: 42 }), /'issuer' must be a string/],
        [body({ subject: undefined }), /'subject' is required unless 'allow_any_subject'/],
        [body({ allow_any_subject: true }), /cannot both be set/],
        [body({ allow_any_subject: 'yes', subject: undefined }), /'allow_any_subject' must be a boolean/],
        [body({ scope: undefined }), /'scope' is required/],
        [body({ scope: 'read write' }), /'scope' must be an array/],
        [body({ scope: ['a b'] }), /without whitespace/],
        [body({ jwk: undefined }), /'jwk' is required/],
        [body({ jwk: 'key' }), /'jwk' must be a JSON Web Key object/],
        [body({ jwk: { ...publicKey, kid: undefined } }), /key id/],
        [body({ jwk: { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'h', alg: 'HS256' } }), /symmetric keys/],
        [body({ jwk: { ...publicKey, x: 'AAAA' } }), /does not parse|not a valid/],
        [body({ jwk: { ...publicKey, alg: 'RS256' } }), /unsupported key type or algorithm/],
        [body({ expires_at: undefined }), /'expires_at' is required/],
        [body({ expires_at: 'tomorrow' }), /RFC 3339/],
        [body({ expires_at: '2001-01-01T00:00:00Z' }), /must be in the future/],
      ]
      for (const [payload, message] of cases) {
        const res = await create(payload)
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        const err = res.json()
        expect(err).toMatchObject({ error: 'invalid_request', status_code: 400 })
        expect(err.error_description).toMatch(message)
      }
      const notJson = await env.admin.inject({ method: 'POST', url: BASE, headers: { 'content-type': 'text/plain' }, payload: 'x' })
      expect(notJson.statusCode).toBe(415)
      const array = await create([body()])
      expect(array.statusCode).toBe(400)
    })

    it('refuses a private JWK', async () => {
      const res = await create(body({ issuer: 'https://private.example', jwk: privateKey }))
      expect(res.statusCode).toBe(400)
      expect(res.json().error_description).toMatch(/private members \(d\)/)
      const list = await env.admin.inject({ method: 'GET', url: `${BASE}?issuer=${encodeURIComponent('https://private.example')}` })
      expect(list.json()).toEqual([])
    })

    it('accepts a key without alg and an RSA key', async () => {
      const { alg: _alg, ...noAlg } = publicKey
      const res = await create(body({ issuer: 'https://noalg.example', jwk: { ...noAlg, kid: 'k2' } }))
      expect(res.statusCode, res.body).toBe(201)
      const rsa = await generateKeyPair('RS256', { extractable: true })
      const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' }
      const r2 = await create(body({ issuer: 'https://rsa.example', jwk: rsaJwk }))
      expect(r2.statusCode, r2.body).toBe(201)
    })

    it('lists with keyset pagination, a Link header and the issuer filter', async () => {
      const issuer = 'https://paged.example'
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const res = await create(body({ issuer, subject: `user-${i}` }))
        expect(res.statusCode).toBe(201)
        ids.push(res.json().id)
      }
      const seen: string[] = []
      let url: string | undefined = `${BASE}?page_size=2&issuer=${encodeURIComponent(issuer)}`
      let pages = 0
      while (url) {
        const res: Awaited<ReturnType<typeof env.admin.inject>> = await env.admin.inject({ method: 'GET', url })
        expect(res.statusCode, res.body).toBe(200)
        expect(res.headers['x-total-count']).toBe('5')
        const page = res.json() as Array<{ id: string; issuer: string }>
        expect(page.length).toBeLessThanOrEqual(2)
        for (const item of page) {
          expect(item.issuer).toBe(issuer)
          seen.push(item.id)
        }
        const link: string = String(res.headers.link)
        expect(link).toContain('rel="first"')
        url = /<([^>]+)>; rel="next"/.exec(link)?.[1]
        pages++
      }
      expect(pages).toBe(3)
      expect(seen).toEqual([...ids].sort())

      const all = await env.admin.inject({ method: 'GET', url: BASE })
      expect(all.statusCode).toBe(200)
      expect(Number(all.headers['x-total-count'])).toBeGreaterThan(5)
      const bad = await env.admin.inject({ method: 'GET', url: `${BASE}?page_token=garbage` })
      expect(bad.statusCode).toBe(400)
      const badSize = await env.admin.inject({ method: 'GET', url: `${BASE}?page_size=0` })
      expect(badSize.statusCode).toBe(400)
      const huge = await env.admin.inject({ method: 'GET', url: `${BASE}?page_size=99999` })
      expect(String(huge.headers.link)).toContain('page_size=1000')
    })
  })
}
