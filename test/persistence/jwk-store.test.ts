import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Aead } from '../../src/crypto/aead.js'
import { KeyManager } from '../../src/jwk/manager.js'
import { GENERATE_ALGS } from '../../src/jwk/model.js'
import type { NewSealedKey } from '../../src/jwk/store.js'
import type { Db } from '../../src/persistence/db.js'
import { SqlJwkStore } from '../../src/persistence/sql/jwk-store.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { TEST_SECRET } from '../support/app.js'

const key = (set: string, kid: string, at: number, keydata = `v1.sealed-${kid}`): NewSealedKey => ({
  set,
  kid,
  keydata,
  createdAt: new Date(at),
})

for (const t of testDatabases()) {
  describe(`SqlJwkStore on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let store: SqlJwkStore
    let nid: string
    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      nid = await networkId(db)
      store = new SqlJwkStore(db.kysely, nid)
    })
    afterAll(async () => cleanup())

    it('returns a set newest first, and single keys', async () => {
      const base = Date.UTC(2024, 0, 1)
      await store.addKeys([key('s1', 'a', base), key('s1', 'c', base + 2000), key('s1', 'b', base + 1000)])
      const set = await store.getSet('s1')
      expect(set.map((k) => k.kid)).toEqual(['c', 'b', 'a'])
      expect(set[0]).toEqual({ set: 's1', kid: 'c', keydata: 'v1.sealed-c', createdAt: new Date(base + 2000) })
      expect(await store.getKey('s1', 'b')).toMatchObject({ kid: 'b', keydata: 'v1.sealed-b' })
      expect(await store.getKey('s1', 'B')).toBeUndefined()
      expect(await store.getKey('other', 'b')).toBeUndefined()
      expect(await store.getSet('missing')).toEqual([])
    })

    it('refuses a taken (set, kid) with a conflict and inserts nothing of the batch', async () => {
      await expect(store.addKeys([key('s1', 'fresh', 1), key('s1', 'a', 1)])).rejects.toMatchObject({ status: 409 })
      expect(await store.getKey('s1', 'fresh')).toBeUndefined()
      // The same kid in another set is fine.
      await store.addKeys([key('s2', 'a', 1)])
      expect(await store.getKey('s2', 'a')).toBeDefined()
    })

    it('collides on a fixed pk, which concurrent first starts rely on', async () => {
      const pk = randomUUID()
      await store.addKeys([{ ...key('s3', 'x', 1), pk }])
      await expect(store.addKeys([{ ...key('s3', 'y', 1), pk }])).rejects.toMatchObject({ status: 409 })
    })

    it('replaces a set atomically', async () => {
      await store.addKeys([key('s4', 'old1', 1), key('s4', 'old2', 2)])
      await store.replaceSet('s4', [key('s4', 'new1', 10), key('s4', 'new2', 11)])
      expect((await store.getSet('s4')).map((k) => k.kid)).toEqual(['new2', 'new1'])
      // A failing replacement (duplicate kid) leaves the set as it was.
      await expect(store.replaceSet('s4', [key('s4', 'dup', 1), key('s4', 'dup', 2)])).rejects.toMatchObject({ status: 409 })
      expect((await store.getSet('s4')).map((k) => k.kid)).toEqual(['new2', 'new1'])
    })

    it('replaces or adds a single key', async () => {
      await store.replaceKey(key('s5', 'k', 1, 'v1.first'))
      await store.replaceKey(key('s5', 'k', 2, 'v1.second'))
      await store.replaceKey(key('s5', 'other', 3))
      expect((await store.getSet('s5')).map((k) => [k.kid, k.keydata])).toEqual([
        ['other', 'v1.sealed-other'],
        ['k', 'v1.second'],
      ])
    })

    it('deletes keys and sets, reporting what existed', async () => {
      await store.addKeys([key('s6', 'a', 1), key('s6', 'b', 2)])
      expect(await store.deleteKey('s6', 'a')).toBe(true)
      expect(await store.deleteKey('s6', 'a')).toBe(false)
      expect(await store.deleteSet('s6')).toBe(1)
      expect(await store.deleteSet('s6')).toBe(0)
    })

    it('keeps networks apart', async () => {
      const other = randomUUID()
      const now = new Date()
      await db.kysely.insertInto('networks').values({ id: other, created_at: now, updated_at: now }).execute()
      const foreign = new SqlJwkStore(db.kysely, other)
      await foreign.addKeys([key('s1', 'a', 1)])
      expect((await foreign.getSet('s1')).map((k) => k.kid)).toEqual(['a'])
      expect((await store.getSet('s1')).map((k) => k.kid)).toEqual(['c', 'b', 'a'])
      expect((await foreign.all()).length).toBe(1)
      expect(await foreign.deleteSet('s1')).toBe(1)
      expect((await store.getSet('s1')).length).toBe(3)
    })

    it('never holds a private key in plaintext', async () => {
      const keys = new KeyManager({ store, aead: new Aead([TEST_SECRET]), nid })
      const privates: string[] = []
      for (const alg of GENERATE_ALGS) {
        const jwk = await keys.create('dump', { alg, use: 'sig', kid: `k-${alg}` })
        privates.push(String(jwk.d ?? jwk.k))
      }
      const rows = await db.kysely.selectFrom('hydra_jwk').selectAll().where('sid', '=', 'dump').execute()
      expect(rows).toHaveLength(GENERATE_ALGS.length)
      const dump = JSON.stringify(rows)
      for (const row of rows) {
        expect(row.keydata).toMatch(/^v1\./)
        expect(row.keydata).not.toContain('"d":')
        expect(row.keydata).not.toContain('"k":')
      }
      expect(dump).not.toContain('"d":')
      for (const secret of privates) expect(dump).not.toContain(secret)
    })
  })
}
