// The official Hydra SDK, as a real client over a real socket, must work unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Configuration, OAuth2Api, MetadataApi } from '@ory/hydra-client'
import { testDatabases } from '../support/databases.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

for (const t of testDatabases()) {
  describe(`@ory/hydra-client against Orthrus on ${t.name}`, () => {
    let running: SocketServer
    let api: OAuth2Api
    let meta: MetadataApi

    beforeAll(async () => {
      running = await startSocketServer(t)
      api = running.api
      meta = new MetadataApi(new Configuration({ basePath: running.adminUrl }))
    })
    afterAll(async () => {
      await running?.close()
    })

    it('creates, lists, gets, patches, sets and deletes clients', async () => {
      const { data: created } = await api.createOAuth2Client({
        oAuth2Client: { client_name: 'sdk', grant_types: ['client_credentials'], audience: ['https://api.example'] },
      })
      expect(created.client_id).toBeTruthy()
      expect(created.client_secret).toBeTruthy()
      const id = created.client_id!

      const { data: listed, headers } = await api.listOAuth2Clients({ pageSize: 10 })
      expect(listed.map((c) => c.client_id)).toContain(id)
      expect(headers['x-total-count']).toBeDefined()

      const { data: got } = await api.getOAuth2Client({ id })
      expect(got).toMatchObject({ client_id: id, client_name: 'sdk', grant_types: ['client_credentials'], audience: ['https://api.example'] })
      expect(got.client_secret).toBeUndefined()

      const { data: patched } = await api.patchOAuth2Client({ id, jsonPatch: [{ op: 'replace', path: '/client_name', value: 'sdk2' }] })
      expect(patched.client_name).toBe('sdk2')

      const { data: replaced } = await api.setOAuth2Client({ id, oAuth2Client: { ...got, client_name: 'sdk3' } })
      expect(replaced.client_name).toBe('sdk3')

      const { data: withLifespans } = await api.setOAuth2ClientLifespans({
        id,
        oAuth2ClientTokenLifespans: { client_credentials_grant_access_token_lifespan: '15m' },
      })
      expect(withLifespans.client_credentials_grant_access_token_lifespan).toBe('15m0s')

      const del = await api.deleteOAuth2Client({ id })
      expect(del.status).toBe(204)
      await expect(api.getOAuth2Client({ id })).rejects.toMatchObject({ response: { status: 404 } })
    })

    it('reports health and version', async () => {
      expect((await meta.isReady()).data).toEqual({ status: 'ok' })
      expect((await meta.getVersion()).data.version).toMatch(/^v/)
    })
  })
}
