// Machine-to-machine tokens over real sockets, with the libraries real clients use:
// openid-client for the token and revocation endpoints, the Hydra SDK for introspection.
import { randomUUID } from 'node:crypto'
import type { OAuth2Api } from '@ory/hydra-client'
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

for (const t of testDatabases()) {
  describe(`client_credentials with openid-client and the Hydra SDK on ${t.name}`, () => {
    let running: SocketServer
    let hydra: OAuth2Api
    let metadata: oidc.ServerMetadata

    beforeAll(async () => {
      running = await startSocketServer(t)
      hydra = running.api
      // Discovery is not needed: the token endpoint is all a machine client uses.
      metadata = {
        issuer: running.config.urls.self.issuer,
        token_endpoint: `${running.publicUrl}/oauth2/token`,
        revocation_endpoint: `${running.publicUrl}/oauth2/revoke`,
      }
    })
    afterAll(async () => {
      await running?.close()
    })

    const configuration = (clientId: string, auth: oidc.ClientAuth) => {
      const c = new oidc.Configuration(metadata, clientId, undefined, auth)
      oidc.allowInsecureRequests(c)
      return c
    }

    it('issues, introspects and revokes with client_secret_basic', async () => {
      const { data: created } = await hydra.createOAuth2Client({
        oAuth2Client: { client_id: `m2m:${randomUUID()}`, client_secret: 'se+cr%et: with spaces', grant_types: ['client_credentials'], scope: 'read write' },
      })
      const config = configuration(created.client_id!, oidc.ClientSecretBasic('se+cr%et: with spaces'))
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' })
      expect(tokens.token_type.toLowerCase()).toBe('bearer')
      expect(tokens.scope).toBe('read')
      expect(tokens.expiresIn()).toBeGreaterThan(3500)

      const { data: info } = await hydra.introspectOAuth2Token({ token: tokens.access_token })
      expect(info).toMatchObject({ active: true, client_id: created.client_id, sub: created.client_id, token_use: 'access_token', scope: 'read' })

      const { data: scoped } = await hydra.introspectOAuth2Token({ token: tokens.access_token, scope: 'write' })
      expect(scoped.active).toBe(false)

      await oidc.tokenRevocation(config, tokens.access_token)
      expect((await hydra.introspectOAuth2Token({ token: tokens.access_token })).data).toEqual({ active: false })
    })

    it('works with client_secret_post', async () => {
      const { data: created } = await hydra.createOAuth2Client({
        oAuth2Client: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'read' },
      })
      const tokens = await oidc.clientCredentialsGrant(configuration(created.client_id!, oidc.ClientSecretPost(created.client_secret!)))
      expect((await hydra.introspectOAuth2Token({ token: tokens.access_token })).data.active).toBe(true)
    })

    it('works with private_key_jwt, and a replayed assertion is refused', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
      const jwk = { ...(await exportJWK(publicKey)), kty: 'EC', kid: 'k1', use: 'sig', alg: 'ES256' }
      const { data: created } = await hydra.createOAuth2Client({
        oAuth2Client: {
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          jwks: { keys: [jwk] },
          scope: 'read',
        },
      })
      const key: oidc.PrivateKey = { key: privateKey as CryptoKey, kid: 'k1' }
      const tokens = await oidc.clientCredentialsGrant(configuration(created.client_id!, oidc.PrivateKeyJwt(key)), { scope: 'read' })
      expect((await hydra.introspectOAuth2Token({ token: tokens.access_token })).data).toMatchObject({ active: true, client_id: created.client_id })

      // Capture one assertion and send it twice.
      let assertion = ''
      const capture = configuration(
        created.client_id!,
        oidc.PrivateKeyJwt(key, {
          [oidc.modifyAssertion]: (_header, payload) => {
            payload.jti = 'fixed-jti-for-replay'
          },
        }),
      )
      capture[oidc.customFetch] = async (url, init) => {
        assertion = new URLSearchParams(String(init.body)).get('client_assertion') ?? assertion
        return fetch(url, init)
      }
      await oidc.clientCredentialsGrant(capture)
      expect(assertion).not.toBe('')
      await expect(oidc.clientCredentialsGrant(capture)).rejects.toMatchObject({ error: 'invalid_client', status: 401 })
    })

    it('answers the Hydra SDK inactive for garbage', async () => {
      for (const token of ['garbage', 'ory_at_abc.def', 'eyJ.eyJ.sig']) {
        expect((await hydra.introspectOAuth2Token({ token })).data).toEqual({ active: false })
      }
    })
  })
}
