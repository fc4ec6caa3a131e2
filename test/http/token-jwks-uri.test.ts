// private_key_jwt at the token endpoint for a client that registered a jwks_uri: the wired-up
// registry fetches the keys (plain http only in dev mode) and answers failures with a 401.
import { randomUUID } from 'node:crypto'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertionAudiences } from '../../src/oauth2/services.js'
import { testDatabases } from '../support/databases.js'
import { testApps, type TestApps } from '../support/app.js'
import { startJwksServer, type JwksServer } from '../support/jwks-server.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

for (const t of testDatabases()) {
  describe(`private_key_jwt with jwks_uri over HTTP on ${t.name}`, () => {
    let env: TestApps
    let jwks: JwksServer
    let key: CryptoKey
    let audience = ''

    beforeAll(async () => {
      jwks = await startJwksServer()
      env = await testApps(t)
      audience = assertionAudiences(env.registry.config)[0]!
      const pair = await generateKeyPair('RS256')
      key = pair.privateKey
      jwks.keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'http-1', alg: 'RS256', use: 'sig' }]
      for (const [id, path] of [['jwks-ok', '/jwks'], ['jwks-text', '/text'], ['jwks-big', '/big']] as const) {
        const res = await env.admin.inject({
          method: 'POST',
          url: '/admin/clients',
          payload: {
            client_id: id,
            grant_types: ['client_credentials'],
            token_endpoint_auth_method: 'private_key_jwt',
            jwks_uri: `${jwks.base}${path}`,
          },
        })
        expect(res.statusCode, res.body).toBe(201)
      }
    })
    afterAll(async () => {
      await env.close()
      await jwks.close()
    })

    const token = async (clientId: string) => {
      const assertion = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: 'http-1' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(key)
      return env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: FORM,
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString(),
      })
    }

    it('issues a token to a client whose keys are at its jwks_uri', async () => {
      const res = await token('jwks-ok')
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().access_token).toMatch(/^ory_at_/)
    })

    it('answers an unusable jwks_uri with 401 invalid_client, never a 500', async () => {
      for (const id of ['jwks-text', 'jwks-big']) {
        const res = await token(id)
        expect(res.statusCode, res.body).toBe(401)
        expect(res.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/jwks_uri/) })
      }
    })
  })
}
