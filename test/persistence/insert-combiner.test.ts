// PostgreSQL and MySQL: concurrent one-row inserts leave as one multi-row INSERT; a failing row
// fails only its own caller.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Db } from '../../src/persistence/db.js'
import { InsertCombiner } from '../../src/persistence/insert-combiner.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'

for (const t of testDatabases().filter((d) => d.name !== 'sqlite')) {
  describe(`insert combiner on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let nid: string
    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      nid = await networkId(db)
    })
    afterAll(async () => cleanup())

    const insert = (signature: string) =>
      db.kysely.insertInto('hydra_oauth2_jti_blacklist').values({ signature, nid, expires_at: new Date(Date.now() + 60_000) }).compile()
    const stored = async (signatures: string[]) =>
      (await db.kysely.selectFrom('hydra_oauth2_jti_blacklist').select('signature').where('signature', 'in', signatures).execute()).length

    it('sends the inserts of one turn of the event loop as one statement, each row committed when its caller resumes', async () => {
      const combiner = new InsertCombiner(db.kysely, t.name === 'postgres' ? 'numbered' : 'question')
      const spy = vi.spyOn(db.kysely, 'executeQuery')
      try {
        const signatures = Array.from({ length: 40 }, () => randomUUID())
        await Promise.all(signatures.map((s) => combiner.run(insert(s))))
        expect(spy).toHaveBeenCalledTimes(1)
        expect(await stored(signatures)).toBe(40)
      } finally {
        spy.mockRestore()
      }
    })

    it('answers a duplicate row with its own error and commits the others', async () => {
      const combiner = new InsertCombiner(db.kysely, t.name === 'postgres' ? 'numbered' : 'question')
      const taken = randomUUID()
      await combiner.run(insert(taken))
      const fresh = Array.from({ length: 5 }, () => randomUUID())
      const outcomes = await Promise.allSettled([...fresh, taken].map((s) => combiner.run(insert(s))))
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected'])
      expect(await stored(fresh)).toBe(5)
    })

    it('runs anything that is not a plain one-row insert as it is', async () => {
      const combiner = new InsertCombiner(db.kysely, t.name === 'postgres' ? 'numbered' : 'question')
      const spy = vi.spyOn(db.kysely, 'executeQuery')
      try {
        const s = randomUUID()
        await combiner.run(insert(s))
        const update = db.kysely.updateTable('hydra_oauth2_jti_blacklist').set({ expires_at: new Date() }).where('signature', '=', s).compile()
        await Promise.all([combiner.run(update), combiner.run(update)])
        expect(spy).toHaveBeenCalledTimes(3)
      } finally {
        spy.mockRestore()
      }
    })
  })
}
