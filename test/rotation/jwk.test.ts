// Signing key rotation, as Hydra documents it: adding a key to hydra.jwt.access-token (or
// hydra.openid.id-token) makes it the signer of new tokens; the older public keys stay in
// /.well-known/jwks.json, so earlier tokens keep verifying until their key is deleted.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow } from '../support/flow.js'
import { FORM, appsOn, basic, introspect, issue, jwks, m2mClient, sharedDatabase } from './support.js'

for (const t of testDatabases()) {
  describe(`signing key rotation on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      // Parsed keys are cached 5 s; a key added through this server is seen at once regardless.
      env = await testApps(t, { ...FLOW_ENV, STRATEGIES_ACCESS_TOKEN: 'jwt' })
    })
    afterAll(async () => env.close())

    const addKey = async (set: string): Promise<string> => {
      const res = await env.admin.inject({ method: 'POST', url: `/admin/keys/${set}`, payload: { alg: 'RS256', use: 'sig' } })
      expect(res.statusCode, res.body).toBe(201)
      return res.json().keys[0].kid as string
    }
    const verify = async (token: string) => jwtVerify(token, createLocalJWKSet((await jwks(env)) as JSONWebKeySet))

    it('a new access-token key signs new JWT access tokens; both old and new verify and introspect', async () => {
      const client = await m2mClient(env)
      const tokenA = await issue(env, client)
      const kid1 = decodeProtectedHeader(tokenA).kid
      expect(kid1).toBeTruthy()

      const kid2 = await addKey('hydra.jwt.access-token')
      expect(kid2).not.toBe(kid1)
      const tokenB = await issue(env, client)
      expect(decodeProtectedHeader(tokenB).kid).toBe(kid2)

      const published = (await jwks(env)).keys.map((k) => k.kid)
      expect(published).toEqual(expect.arrayContaining([kid1, kid2]))
      expect((await verify(tokenA)).payload.client_id).toBe(client.id)
      expect((await verify(tokenB)).payload.client_id).toBe(client.id)
      expect((await introspect(env, tokenA)).active).toBe(true)
      expect((await introspect(env, tokenB)).active).toBe(true)

      // Deleting the old key retires it: no longer published, its tokens no longer verify.
      const del = await env.admin.inject({ method: 'DELETE', url: `/admin/keys/hydra.jwt.access-token/${kid1}` })
      expect(del.statusCode, del.body).toBe(204)
      expect((await jwks(env)).keys.map((k) => k.kid)).not.toContain(kid1)
      await expect(verify(tokenA)).rejects.toThrow()
      expect((await introspect(env, tokenA)).active).toBe(false)
      expect((await verify(tokenB)).payload.client_id).toBe(client.id)
      expect((await introspect(env, tokenB)).active).toBe(true)
    })

    it('a new id-token key signs new ID tokens; the old one stays published', async () => {
      const client = await createClient(env, { grant_types: ['authorization_code'], scope: 'openid' })
      const idToken = async (): Promise<string> => {
        const params = await fullFlow(env, new CookieJar(), client.client_id, {
          extra: { scope: 'openid', nonce: 'nonce-1234567890' },
          consent: { grant_scope: ['openid'] },
        })
        const res = await env.public.inject({
          method: 'POST',
          url: '/oauth2/token',
          headers: { ...FORM, authorization: basic(client.client_id, client.client_secret!) },
          payload: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: REDIRECT_URI }).toString(),
        })
        expect(res.statusCode, res.body).toBe(200)
        return res.json().id_token as string
      }
      const first = await idToken()
      const kid1 = decodeProtectedHeader(first).kid
      const kid2 = await addKey('hydra.openid.id-token')
      const second = await idToken()
      expect(decodeProtectedHeader(second).kid).toBe(kid2)
      expect(kid2).not.toBe(kid1)
      expect((await verify(first)).payload.aud).toEqual([client.client_id])
      expect((await verify(second)).payload.aud).toEqual([client.client_id])
      // Discovery still advertises the algorithm of the signing key.
      const discovery = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
      expect(discovery.json().id_token_signing_alg_values_supported).toContain('RS256')
    })
  })
}

for (const t of testDatabases()) {
  describe(`signing key rotation across instances on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    let one: TestApps
    let two: TestApps
    beforeAll(async () => {
      ;({ dsn, drop } = await sharedDatabase(t))
      one = await appsOn(dsn, { STRATEGIES_ACCESS_TOKEN: 'jwt' })
      two = await appsOn(dsn, { STRATEGIES_ACCESS_TOKEN: 'jwt' })
    })
    afterAll(async () => {
      await one?.close()
      await two?.close()
      await drop()
    })

    it('a key added through one instance signs on the others once their key cache expires', async () => {
      const client = await m2mClient(one)
      const kid1 = decodeProtectedHeader(await issue(two, client)).kid
      const res = await one.admin.inject({ method: 'POST', url: '/admin/keys/hydra.jwt.access-token', payload: { alg: 'ES256', use: 'sig' } })
      expect(res.statusCode, res.body).toBe(201)
      const kid2 = res.json().keys[0].kid as string
      // These instances cache parsed keys for 0 ms (the default is a few seconds).
      const token = await issue(two, client)
      expect(decodeProtectedHeader(token)).toMatchObject({ kid: kid2, alg: 'ES256' })
      expect((await jwks(two)).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid1, kid2]))
      expect((await introspect(one, token)).active).toBe(true)
    })
  })
}
