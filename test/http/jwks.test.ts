import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from '../../src/jwk/keyring.js'
import { GENERATE_ALGS } from '../../src/jwk/model.js'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

for (const t of testDatabases()) {
  describe(`GET /.well-known/jwks.json on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    const jwks = async () => {
      const res = await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })
      expect(res.statusCode).toBe(200)
      return { res, body: res.json() as JSONWebKeySet }
    }

    it('publishes the first-start keys of both well-known sets, cacheable for a short while', async () => {
      const { res, body } = await jwks()
      expect(res.headers['cache-control']).toBe('public, max-age=60')
      expect(res.headers['content-type']).toContain('application/json')
      expect(body.keys).toHaveLength(2)
      for (const key of body.keys) {
        expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
        for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m)
      }
    })

    it('never publishes a private member, whatever the algorithm', async () => {
      for (const set of [ID_TOKEN_SET, ACCESS_TOKEN_SET]) {
        for (const alg of GENERATE_ALGS) {
          const res = await env.admin.inject({ method: 'POST', url: `/admin/keys/${set}`, payload: { alg, use: 'sig' } })
          expect(res.statusCode).toBe(201)
        }
      }
      await env.admin.inject({ method: 'POST', url: '/admin/keys/private.set', payload: { alg: 'ES256', use: 'sig', kid: 'unpublished' } })
      const { res, body } = await jwks()
      for (const key of body.keys) {
        for (const m of PRIVATE_MEMBERS) expect(key, `${key.alg} ${m}`).not.toHaveProperty(m)
      }
      expect(res.body).not.toMatch(/"(d|p|q|dp|dq|qi|k|oth)":/)
      // Symmetric keys have no public half; keys of other sets are not broadcast.
      expect(body.keys.some((k) => k.kty === 'oct')).toBe(false)
      expect(body.keys.some((k) => k.kid === 'unpublished')).toBe(false)
      expect(body.keys).toHaveLength(2 + 2 * 5)
    })

    it('lets relying parties verify what the server signs', async () => {
      const token = await env.registry.keyRing.sign(ID_TOKEN_SET, { sub: 'alice', aud: 'app' })
      const { body } = await jwks()
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(body))
      expect(payload).toMatchObject({ sub: 'alice', aud: 'app' })
      expect(body.keys.map((k) => k.kid)).toContain(protectedHeader.kid)
    })

    it('creates a fresh signing key when a well-known set was deleted, as Hydra does', async () => {
      const del = await env.admin.inject({ method: 'DELETE', url: `/admin/keys/${ID_TOKEN_SET}` })
      expect(del.statusCode).toBe(204)
      const { body } = await jwks()
      const idKeys = (await env.registry.keys.getSet(ID_TOKEN_SET)).map((k) => k.kid)
      expect(idKeys).toHaveLength(1)
      expect(body.keys.map((k) => k.kid)).toContain(idKeys[0])
    })
  })
}
