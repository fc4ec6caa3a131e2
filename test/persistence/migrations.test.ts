import { afterEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openDb, type Db } from '../../src/persistence/db.js'
import { migrateDown, migrateUp, migrationStatus, pendingMigrations } from '../../src/persistence/migrate.js'
import { testDatabases } from '../support/databases.js'

for (const t of testDatabases()) {
  describe(`migrations on ${t.name}`, () => {
    let db: Db | undefined
    let drop: (() => Promise<void>) | undefined
    afterEach(async () => {
      await db?.close()
      await drop?.()
    })

    it('apply, report status, roll back and re-apply', async () => {
      const created = await t.create()
      drop = created.drop
      db = await openDb(created.dsn)

      const before = await migrationStatus(db)
      expect(before.length).toBeGreaterThanOrEqual(2)
      expect(before.every((m) => m.appliedAt === undefined)).toBe(true)

      const applied = await migrateUp(db)
      expect(applied).toEqual(before.map((m) => m.name))
      expect(await pendingMigrations(db)).toEqual([])
      expect((await migrationStatus(db)).every((m) => m.appliedAt instanceof Date)).toBe(true)

      // Applying again is a no-op.
      expect(await migrateUp(db)).toEqual([])

      const nets = await db.kysely.selectFrom('networks').select('id').execute()
      expect(nets).toHaveLength(1)
      expect(nets[0]?.id).toMatch(/^[0-9a-f-]{36}$/)

      const rolledBack = await migrateDown(db, before.length)
      expect(rolledBack).toEqual([...before.map((m) => m.name)].reverse())
      await expect(sql`select count(*) from hydra_client`.execute(db.kysely)).rejects.toThrow()
      expect(await pendingMigrations(db)).toEqual(before.map((m) => m.name))

      // Rolling back more steps than applied stops at the bottom.
      expect(await migrateDown(db, 3)).toEqual([])
      expect(await migrateUp(db)).toEqual(before.map((m) => m.name))
    })

    it('applies an earlier step a database lacks after a later one was applied', async () => {
      const created = await t.create()
      drop = created.drop
      db = await openDb(created.dsn)
      await migrateUp(db)
      // As if this database had been migrated by a build without 0012 but with a later step.
      const table = db.schema ? sql.table(`${db.schema}.orthrus_migration`) : sql.table('orthrus_migration')
      await sql`alter table hydra_client drop column rotated_secrets`.execute(db.kysely)
      await sql`delete from ${table} where name = '0012_client_rotated_secrets'`.execute(db.kysely)
      expect(await pendingMigrations(db)).toEqual(['0012_client_rotated_secrets'])
      expect(await migrateUp(db)).toEqual(['0012_client_rotated_secrets'])
      await sql`select rotated_secrets from hydra_client`.execute(db.kysely)
      // Rolling back undoes the step applied last first.
      expect(await migrateDown(db, 1)).toEqual(['0012_client_rotated_secrets'])
    })
  })
}
