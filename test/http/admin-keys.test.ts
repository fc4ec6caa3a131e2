import { generateKeyPair, exportJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

async function privateJwk(alg: 'ES256' | 'RS256', kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }
}

for (const t of testDatabases()) {
  describe(`admin JSON Web Key API on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
      env.admin.inject({
        method,
        url,
        ...(payload !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) } : {}),
      })

    it('creates the well-known sets on first start, with private keys on the admin side', async () => {
      for (const set of ['hydra.openid.id-token', 'hydra.jwt.access-token']) {
        const res = await call('GET', `/admin/keys/${set}`)
        expect(res.statusCode).toBe(200)
        const keys = res.json().keys
        expect(keys).toHaveLength(1)
        expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
        expect(keys[0].kid).toMatch(UUID)
        expect(keys[0].d).toBeTypeOf('string')
      }
    })

    it('POST generates one key, adds it to the set and returns it (201)', async () => {
      const res = await call('POST', '/admin/keys/my-set', { alg: 'ES256', use: 'sig', kid: 'first' })
      expect(res.statusCode).toBe(201)
      expect(res.headers.location).toBe('/admin/keys/my-set')
      const body = res.json()
      expect(body.keys).toHaveLength(1)
      expect(body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'first' })
      expect(body.keys[0].d).toBeTypeOf('string')

      const second = await call('POST', '/keys/my-set', { alg: 'EdDSA', use: 'enc' })
      expect(second.statusCode).toBe(201)
      expect(second.json().keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'enc' })
      expect(second.json().keys[0].kid).toMatch(UUID)

      const set = await call('GET', '/admin/keys/my-set')
      expect(set.statusCode).toBe(200)
      // Newest first.
      expect(set.json().keys.map((k: { alg: string }) => k.alg)).toEqual(['EdDSA', 'ES256'])
      expect((await call('GET', '/keys/my-set')).json()).toEqual(set.json())
    })

    it('POST answers 409 for a kid taken in the set', async () => {
      await call('POST', '/admin/keys/dup', { alg: 'ES256', use: 'sig', kid: 'k' })
      const res = await call('POST', '/admin/keys/dup', { alg: 'ES256', use: 'sig', kid: 'k' })
      expect(res.statusCode).toBe(409)
      expect(res.json().error).toBe('Unable to insert or update resource because a resource with that value exists already')
    })

    it.each([
      [{ use: 'sig' }, '"alg" is required'],
      [{ alg: 'RS1024', use: 'sig' }, '"alg" = "RS1024" is not supported'],
      [{ alg: 'none', use: 'sig' }, 'not supported'],
      [{ alg: 'ES256', use: 'both' }, '"use" = "both" is not supported'],
      [{ alg: 'ES256', kid: 42 }, '"kid" must be a string'],
      [{ alg: 'ES256', kid: 'x'.repeat(256) }, 'at most 255 characters'],
      [[], 'must be a JSON object'],
      ['text', 'must be a JSON object'],
    ])('POST refuses %j with 400 invalid_request', async (payload, hint) => {
      const res = await call('POST', '/admin/keys/bad', payload)
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toBe('invalid_request')
      expect(res.json().error_description).toContain(hint)
    })

    it('POST without a body or with broken JSON is a 400, with another content type a 415', async () => {
      expect((await env.admin.inject({ method: 'POST', url: '/admin/keys/bad' })).statusCode).toBe(400)
      const broken = await env.admin.inject({ method: 'POST', url: '/admin/keys/bad', headers: { 'content-type': 'application/json' }, payload: '{"alg":' })
      expect(broken.statusCode).toBe(400)
      const form = await env.admin.inject({ method: 'POST', url: '/admin/keys/bad', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'alg=ES256' })
      expect(form.statusCode).toBe(415)
      expect((await call('GET', '/admin/keys/bad')).statusCode).toBe(404)
    })

    it('GET of an unknown set or key is Hydra\'s 404', async () => {
      const res = await call('GET', '/admin/keys/nope')
      expect({ status: res.statusCode, body: res.json() }).toMatchObject({
        status: 404,
        body: { error: 'Unable to locate the resource', error_description: 'The JSON Web Key Set "nope" does not exist.', status_code: 404 },
      })
      expect((await call('GET', '/admin/keys/my-set/nope')).statusCode).toBe(404)
      expect((await call('GET', '/admin/keys/nope/first')).statusCode).toBe(404)
    })

    it('GET /keys/{set}/{kid} answers with a set holding that key', async () => {
      const res = await call('GET', '/admin/keys/my-set/first')
      expect(res.statusCode).toBe(200)
      expect(res.json().keys).toHaveLength(1)
      expect(res.json().keys[0]).toMatchObject({ kid: 'first', alg: 'ES256' })
    })

    it('PUT /keys/{set} replaces the whole set; the first key signs', async () => {
      const a = await privateJwk('ES256', 'a')
      const b = await privateJwk('RS256', 'b')
      await call('POST', '/admin/keys/replace', { alg: 'ES256', use: 'sig', kid: 'old' })
      const res = await call('PUT', '/admin/keys/replace', { keys: [a, b] })
      expect(res.statusCode).toBe(200)
      expect(res.json().keys.map((k: { kid: string }) => k.kid)).toEqual(['a', 'b'])
      const got = await call('GET', '/admin/keys/replace')
      expect(got.json().keys.map((k: { kid: string }) => k.kid)).toEqual(['a', 'b'])
      expect(got.json().keys[0]).toEqual(a)
      const token = await env.registry.keyRing.sign('replace', { sub: 'x' })
      expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid).toBe('a')
    })

    it('PUT /keys/{set}/{kid} adds or replaces one key under the kid of the body', async () => {
      const c = await privateJwk('ES256', 'c')
      const res = await call('PUT', '/admin/keys/replace/ignored', c)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(c)
      expect((await call('GET', '/admin/keys/replace/c')).json().keys[0]).toEqual(c)
      expect((await call('GET', '/admin/keys/replace/ignored')).statusCode).toBe(404)

      // Without a kid in the body, the path names it.
      const { kid: _kid, ...anonymous } = await privateJwk('ES256', 'unused')
      const named = await call('PUT', '/admin/keys/replace/from-path', anonymous)
      expect(named.statusCode).toBe(200)
      expect(named.json().kid).toBe('from-path')

      // A public key alone is accepted (it verifies, never signs).
      const { d: _d, ...pub } = await privateJwk('ES256', 'public-only')
      expect((await call('PUT', '/admin/keys/replace/public-only', pub)).statusCode).toBe(200)
      expect((await call('GET', '/admin/keys/replace')).json().keys).toHaveLength(5)
    })

    it('PUT refuses keys that are not usable, with 400', async () => {
      const good = await privateJwk('ES256', 'g')
      const rsa = await privateJwk('RS256', 'r')
      const otherRsa = await privateJwk('RS256', 'o')
      const cases: Array<[string, unknown, string]> = [
        ['/admin/keys/imp/x', { ...good, kty: undefined }, '"kty" is required'],
        ['/admin/keys/imp/x', { ...good, alg: undefined }, '"alg" is required'],
        ['/admin/keys/imp/x', { ...good, alg: 'RS256' }, 'needs a key of type RSA'],
        ['/admin/keys/imp/x', { ...good, alg: 'ES512' }, 'needs the curve P-521'],
        ['/admin/keys/imp/x', { ...good, use: 'wrap' }, '"use" = "wrap" is not supported'],
        ['/admin/keys/imp/x', { ...good, x: 'AAAA' }, 'does not parse'],
        ['/admin/keys/imp/x', { ...rsa, n: otherRsa.n }, 'does not match its public part'],
        ['/admin/keys/imp/x', { ...good, d: rsa.d }, 'does not parse'],
        ['/admin/keys/imp/x', { kty: 'oct', k: 'c2hvcnQ', alg: 'HS256', kid: 'h' }, 'at least 256 bits'],
        ['/admin/keys/imp/x', 'nope', 'must be a JSON object'],
        ['/admin/keys/imp', { keys: 'nope' }, '{"keys":[...]}'],
        ['/admin/keys/imp', good, '{"keys":[...]}'],
        ['/admin/keys/imp', { keys: [good, good] }, 'appears more than once'],
        ['/admin/keys/imp', { keys: [{ ...good, kid: undefined }] }, 'keys[0]: "kid" is required'],
      ]
      for (const [url, payload, hint] of cases) {
        const res = await call('PUT', url, payload)
        expect({ url, hint, status: res.statusCode }).toEqual({ url, hint, status: 400 })
        expect(res.json().error_description).toContain(hint)
      }
      expect((await call('GET', '/admin/keys/imp')).statusCode).toBe(404)
    })

    it('DELETE removes a key, then a set; unknown ones are 204 as in Hydra', async () => {
      expect((await call('DELETE', '/admin/keys/replace/c')).statusCode).toBe(204)
      expect((await call('DELETE', '/admin/keys/replace/c')).statusCode).toBe(204)
      expect((await call('GET', '/admin/keys/replace/c')).statusCode).toBe(404)
      expect((await call('DELETE', '/keys/replace')).statusCode).toBe(204)
      expect((await call('GET', '/admin/keys/replace')).statusCode).toBe(404)
      expect((await call('DELETE', '/admin/keys/replace')).statusCode).toBe(204)
      expect((await call('DELETE', '/admin/keys/never-existed/nor-this')).statusCode).toBe(204)
    })

    it('never answers 500 to odd ids', async () => {
      for (const url of ['/admin/keys/%20', '/admin/keys/a%2Fb', `/admin/keys/${'s'.repeat(300)}`, '/admin/keys/%E2%9C%93/%F0%9F%94%91']) {
        const res = await call('GET', url)
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400)
        expect(res.statusCode, url).toBeLessThan(500)
      }
      const long = await call('POST', `/admin/keys/${'s'.repeat(300)}`, { alg: 'ES256' })
      expect(long.statusCode).toBe(400)
    })
  })
}
