import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import type { Db } from '../../src/persistence/db.js'
import { migratedDb, testDatabases } from '../support/databases.js'

for (const t of testDatabases()) {
  describe(`batched writes on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    beforeAll(async () => {
      const m = await migratedDb(t)
      db = m.db
      cleanup = m.cleanup
      await sql`create table batch_probe (id varchar(64) primary key)`.execute(db.kysely)
    })
    afterAll(async () => cleanup())

    it('commits concurrent writes and reports each outcome on its own', async () => {
      const insert = (id: string) => db.batchedWrite((k) => sql`insert into batch_probe (id) values (${id})`.execute(k))
      const results = await Promise.allSettled([insert('a'), insert('b'), insert('a'), insert('c')])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
      const rows = await sql<{ id: string }>`select id from batch_probe order by id`.execute(db.kysely)
      expect(rows.rows.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    })

    it('handles more writes than one batch holds', async () => {
      const ids = Array.from({ length: 600 }, (_, i) => `many-${i}`)
      await Promise.all(ids.map((id) => db.batchedWrite((k) => sql`insert into batch_probe (id) values (${id})`.execute(k))))
      const n = await sql<{ n: number | string }>`select count(*) as n from batch_probe where id like 'many-%'`.execute(db.kysely)
      expect(Number(n.rows[0]?.n)).toBe(600)
    })
  })
}
