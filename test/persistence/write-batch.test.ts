import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../src/persistence/db.js'
import { isUniqueViolation } from '../../src/persistence/sql/errors.js'
import { MAX_WRITE_BATCH, SqliteWriter } from '../../src/persistence/sqlite-writer.js'
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
      const insert = (id: string) => db.batchedWrite(sql`insert into batch_probe (id) values (${id})`.compile(db.kysely))
      const results = await Promise.allSettled([insert('a'), insert('b'), insert('a'), insert('c')])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
      const rows = await sql<{ id: string }>`select id from batch_probe order by id`.execute(db.kysely)
      expect(rows.rows.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    })

    it('handles more writes than one batch holds', async () => {
      const ids = Array.from({ length: 600 }, (_, i) => `many-${i}`)
      await Promise.all(ids.map((id) => db.batchedWrite(sql`insert into batch_probe (id) values (${id})`.compile(db.kysely))))
      const n = await sql<{ n: number | string }>`select count(*) as n from batch_probe where id like 'many-%'`.execute(db.kysely)
      expect(Number(n.rows[0]?.n)).toBe(600)
    })
  })
}

describe('batched writes on a SQLite file (writer thread)', () => {
  let dir: string
  let db: Db
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-writer-'))
    db = await openDb(`sqlite://${join(dir, 'db.sqlite')}`)
    await sql`create table batch_probe (id varchar(64) primary key, n integer)`.execute(db.kysely)
  })
  afterAll(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const insert = (id: string) => db.batchedWrite(sql`insert into batch_probe (id, n) values (${id}, ${1})`.compile(db.kysely))

  it('reports each outcome on its own, with the driver error code', async () => {
    const results = await Promise.allSettled([insert('a'), insert('b'), insert('a'), insert('c')])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    const failed = results[2] as PromiseRejectedResult
    expect(isUniqueViolation(failed.reason)).toBe(true)
    const rows = await sql<{ id: string }>`select id from batch_probe order by id`.execute(db.kysely)
    expect(rows.rows.map((r) => r.id)).toEqual(['a', 'b', 'c'])
  })

  it('lets main-connection transactions that read then write run beside the writer thread', async () => {
    const writes = Array.from({ length: 400 }, (_, i) => insert(`w-${i}`))
    const transactions = Array.from({ length: 40 }, (_, i) =>
      db.kysely.transaction().execute(async (trx) => {
        await sql`select count(*) as n from batch_probe`.execute(trx)
        await sql`insert into batch_probe (id, n) values (${`t-${i}`}, ${2})`.execute(trx)
      }),
    )
    await Promise.all([...writes, ...transactions])
    const n = await sql<{ n: number }>`select count(*) as n from batch_probe where id like 'w-%' or id like 't-%'`.execute(db.kysely)
    expect(Number(n.rows[0]?.n)).toBe(440)
  })

  it('commits what was queued before close, durably', async () => {
    const file = join(dir, 'durable.sqlite')
    const first = await openDb(`sqlite://${file}`)
    await sql`create table batch_probe (id varchar(64) primary key, n integer)`.execute(first.kysely)
    const pending = Array.from({ length: 50 }, (_, i) =>
      first.batchedWrite(sql`insert into batch_probe (id, n) values (${`c-${i}`}, ${3})`.compile(first.kysely)),
    )
    await Promise.all(pending)
    await first.close()
    const again = await openDb(`sqlite://${file}`)
    const n = await sql<{ n: number }>`select count(*) as n from batch_probe`.execute(again.kysely)
    expect(Number(n.rows[0]?.n)).toBe(50)
    await again.close()
  })

  it('keeps writes of many distinct statements apart, beyond the statements the writer keeps prepared', async () => {
    // Each write its own SQL text (the literal differs), in bursts that straddle the writer's
    // renumbering of its prepared statements.
    const shaped = (i: number) => db.batchedWrite(sql`insert into batch_probe (id, n) values (${`s-${i}`}, ${sql.lit(i)})`.compile(db.kysely))
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 170 }, (_, k) => shaped(round * 170 + k)))
    }
    const rows = await sql<{ id: string; n: number }>`select id, n from batch_probe where id like 's-%'`.execute(db.kysely)
    expect(rows.rows.length).toBe(510)
    for (const r of rows.rows) expect(`s-${r.n}`).toBe(r.id)
  })

  it('commits a burst in slices of at most MAX_WRITE_BATCH writes', async () => {
    const file = join(dir, 'burst.sqlite')
    const setup = await openDb(`sqlite://${file}`)
    await sql`create table batch_probe (id varchar(64) primary key, n integer)`.execute(setup.kysely)
    const writer = new SqliteWriter(file)
    const burst = Array.from({ length: MAX_WRITE_BATCH * 3 + 17 }, (_, i) =>
      writer.run(sql`insert into batch_probe (id, n) values (${`b-${i}`}, ${4})`.compile(setup.kysely)),
    )
    expect(await Promise.all(burst)).toEqual(burst.map(() => 1))
    expect(writer.largestBatch).toBeGreaterThan(1)
    expect(writer.largestBatch).toBeLessThanOrEqual(MAX_WRITE_BATCH)
    await writer.close()
    const n = await sql<{ n: number }>`select count(*) as n from batch_probe`.execute(setup.kysely)
    expect(Number(n.rows[0]?.n)).toBe(burst.length)
    await setup.close()
  })
})
