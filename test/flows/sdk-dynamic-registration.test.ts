// The official Hydra SDK's OidcApi registers and manages a client over a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Configuration, OidcApi } from '@ory/hydra-client'
import { createLogger } from '../../src/logging.js'
import { createRegistry } from '../../src/registry.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { testDatabases } from '../support/databases.js'
import { testConfig } from '../support/app.js'

for (const t of testDatabases()) {
  describe(`@ory/hydra-client OidcApi dynamic registration on ${t.name}`, () => {
    let server: RunningServer
    let drop: () => Promise<void>

    beforeAll(async () => {
      const db = await t.create()
      drop = db.drop
      const config = testConfig(db.dsn, { OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
      const registry = await createRegistry(config, { logger: createLogger(config.log), migrate: true })
      server = await startServer(registry, 'all')
    })
    afterAll(async () => {
      await server.close()
      await drop()
    })

    const oidc = (accessToken?: string) =>
      new OidcApi(new Configuration({ basePath: server.urls.public, ...(accessToken !== undefined ? { accessToken } : {}) }))

    it('creates, reads, updates and deletes a client with its registration access token', async () => {
      const { data: created, status } = await oidc().createOidcDynamicClient({
        oAuth2Client: { client_name: 'sdk-dyn', redirect_uris: ['http://127.0.0.1:8080/cb'] },
      })
      expect(status).toBe(201)
      const id = created.client_id!
      expect(created.client_secret).toBeTruthy()
      expect(created.registration_access_token).toBeTruthy()
      expect(created.registration_client_uri).toMatch(new RegExp(`/oauth2/register/${id}$`))

      const { data: got } = await oidc(created.registration_access_token).getOidcDynamicClient({ id })
      expect(got).toMatchObject({ client_id: id, client_name: 'sdk-dyn' })
      expect(got.client_secret).toBeUndefined()

      const { data: updated } = await oidc(created.registration_access_token).setOidcDynamicClient({
        id,
        oAuth2Client: { ...got, client_name: 'sdk-dyn-2' },
      })
      expect(updated.client_name).toBe('sdk-dyn-2')
      expect(updated.registration_access_token).not.toBe(created.registration_access_token)

      const stale = await oidc(created.registration_access_token)
        .getOidcDynamicClient({ id })
        .catch((e: { response?: { status: number } }) => e.response?.status)
      expect(stale).toBe(401)

      const deleted = await oidc(updated.registration_access_token).deleteOidcDynamicClient({ id })
      expect(deleted.status).toBe(204)
    })
  })
}
