import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { sampleClient } from '../support/fixtures.js'
import { OAuthError } from '../../src/oauth2/errors.js'

for (const t of testDatabases()) {
  describe(`client store on ${t.name}`, () => {
    let store: SqlClientStore
    let nid: string
    let cleanup: () => Promise<void>

    beforeAll(async () => {
      const m = await migratedDb(t)
      cleanup = m.cleanup
      nid = await networkId(m.db)
      store = new SqlClientStore(m.db.kysely, nid)
    })
    afterAll(async () => cleanup())

    it('round-trips every field', async () => {
      const c = sampleClient({
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
        lifespans: { ...sampleClient().lifespans, client_credentials_grant_access_token_lifespan: 3_600_000 },
        rotated_secret_hashes: ['$pbkdf2-sha256$i=1000,l=32$b25l$b25l', '$2a$10$abcdefghijklmnopqrstuu0123456789012345678901234567890'],
      })
      await store.create(c)
      const got = await store.get(c.client_id)
      expect(got).toEqual({ ...c, nid })
    })

    it('keeps ids case-sensitive and unique', async () => {
      await store.create(sampleClient({ client_id: 'CaseId' }))
      await store.create(sampleClient({ client_id: 'caseid' }))
      expect((await store.get('CaseId'))?.client_id).toBe('CaseId')
      expect((await store.get('caseid'))?.client_id).toBe('caseid')
      const dup = store.create(sampleClient({ client_id: 'CaseId' }))
      await expect(dup).rejects.toBeInstanceOf(OAuthError)
      await expect(dup).rejects.toMatchObject({ status: 409 })
    })

    it('updates and deletes', async () => {
      const c = sampleClient()
      await store.create(c)
      const later = new Date(c.updated_at.getTime() + 5000)
      const updated = await store.update({ ...c, client_name: 'renamed', skip_consent: true, metadata: null, updated_at: later })
      expect(updated?.client_name).toBe('renamed')
      expect(updated?.skip_consent).toBe(true)
      expect(updated?.metadata).toBeNull()
      expect(updated?.created_at).toEqual(c.created_at)
      expect(updated?.updated_at).toEqual(later)
      expect(await store.update(sampleClient({ client_id: 'nope' }))).toBeUndefined()
      expect(await store.delete(c.client_id)).toBe(true)
      expect(await store.delete(c.client_id)).toBe(false)
      expect(await store.get(c.client_id)).toBeUndefined()
    })

    it('lists with keyset pages and filters', async () => {
      const owner = `owner-${Date.now()}`
      const ids = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']
      for (const id of ids) await store.create(sampleClient({ client_id: id, owner, client_name: id === 'p-c' ? 'special' : 'x' }))
      const seen: string[] = []
      let after: string | undefined
      for (;;) {
        const page = await store.list({ pageSize: 2, owner, ...(after ? { after } : {}) })
        expect(page.total).toBe(5)
        seen.push(...page.items.map((c) => c.client_id))
        if (!page.hasMore) break
        after = page.items.at(-1)?.client_id
      }
      expect(seen).toEqual(ids)
      const named = await store.list({ pageSize: 10, owner, name: 'special' })
      expect(named.items.map((c) => c.client_id)).toEqual(['p-c'])
      expect(named.total).toBe(1)
    })
  })
}
