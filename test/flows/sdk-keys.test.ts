// The official Hydra SDK's JwkApi and WellknownApi against Orthrus over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Configuration, JwkApi, WellknownApi } from '@ory/hydra-client'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { ID_TOKEN_SET } from '../../src/jwk/keyring.js'
import type { Registry } from '../../src/registry.js'
import { testDatabases } from '../support/databases.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

for (const t of testDatabases()) {
  describe(`@ory/hydra-client JwkApi against Orthrus on ${t.name}`, () => {
    let registry: Registry
    let running: SocketServer
    let jwk: JwkApi
    let wellKnown: WellknownApi

    beforeAll(async () => {
      running = await startSocketServer(t)
      registry = running.registry
      jwk = new JwkApi(new Configuration({ basePath: running.adminUrl }))
      wellKnown = new WellknownApi(new Configuration({ basePath: running.publicUrl }))
    })
    afterAll(async () => {
      await running?.close()
    })

    it('creates, reads, replaces and deletes keys', async () => {
      const created = await jwk.createJsonWebKeySet({ set: 'sdk', createJsonWebKeySet: { alg: 'ES256', use: 'sig', kid: 'sdk-key' } })
      expect(created.status).toBe(201)
      expect(created.data.keys).toHaveLength(1)
      expect(created.data.keys?.[0]).toMatchObject({ kid: 'sdk-key', alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' })
      await jwk.createJsonWebKeySet({ set: 'sdk', createJsonWebKeySet: { alg: 'RS256', use: 'sig', kid: 'second' } })

      const { data: set } = await jwk.getJsonWebKeySet({ set: 'sdk' })
      expect(set.keys?.map((k) => k.kid)).toEqual(['second', 'sdk-key'])
      const { data: one } = await jwk.getJsonWebKey({ set: 'sdk', kid: 'sdk-key' })
      expect(one.keys).toEqual([created.data.keys?.[0]])

      const { data: put } = await jwk.setJsonWebKey({ set: 'sdk', kid: 'sdk-key', jsonWebKey: { ...one.keys![0]!, use: 'enc' } })
      expect(put).toMatchObject({ kid: 'sdk-key', use: 'enc' })

      const { data: replaced } = await jwk.setJsonWebKeySet({ set: 'sdk', jsonWebKeySet: { keys: [put] } })
      expect(replaced.keys?.map((k) => k.kid)).toEqual(['sdk-key'])

      const del = await jwk.deleteJsonWebKey({ set: 'sdk', kid: 'sdk-key' })
      expect(del.status).toBe(204)
      await expect(jwk.getJsonWebKey({ set: 'sdk', kid: 'sdk-key' })).rejects.toMatchObject({ response: { status: 404 } })
      await expect(jwk.getJsonWebKeySet({ set: 'sdk' })).rejects.toMatchObject({ response: { status: 404 } })

      await jwk.createJsonWebKeySet({ set: 'gone', createJsonWebKeySet: { alg: 'EdDSA', use: 'sig', kid: '' } })
      expect((await jwk.deleteJsonWebKeySet({ set: 'gone' })).status).toBe(204)
      await expect(jwk.getJsonWebKeySet({ set: 'gone' })).rejects.toMatchObject({ response: { status: 404 } })
    })

    it('reports bad input as the SDK expects (4xx with errorOAuth2)', async () => {
      const failure = await jwk
        .createJsonWebKeySet({ set: 'bad', createJsonWebKeySet: { alg: 'XS256', use: 'sig', kid: 'k' } })
        .catch((e: { response?: { status: number; data: unknown } }) => e.response)
      expect(failure?.status).toBe(400)
      expect(failure?.data).toMatchObject({ error: 'invalid_request' })
    })

    it('publishes the public keys that verify what the server signs', async () => {
      const { data, headers } = await wellKnown.discoverJsonWebKeys()
      expect(headers['cache-control']).toMatch(/^public, max-age=\d+$/)
      const published = data.keys ?? []
      expect(published.length).toBeGreaterThanOrEqual(2)
      for (const k of published) for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(m)
      const token = await registry.keyRing.sign(ID_TOKEN_SET, { sub: 'sdk' })
      const { payload } = await jwtVerify(token, createLocalJWKSet(data as JSONWebKeySet))
      expect(payload.sub).toBe('sdk')
    })
  })
}
