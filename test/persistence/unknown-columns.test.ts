// db.ignore_unknown_table_columns: a database a newer version migrated (a migration this build
// does not know, and a column none of its queries name) stops start-up unless the key is set;
// with it the server runs, reading and writing around the unknown column.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDb } from '../../src/persistence/db.js'
import { migrateUp } from '../../src/persistence/migrate.js'
import { StartupError } from '../../src/registry.js'
import { appsOn } from '../support/app.js'
import { lastingDatabase, testDatabases } from '../support/databases.js'

for (const t of testDatabases()) {
  describe(`a database migrated by a newer version, on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    beforeAll(async () => {
      // Several servers one after the other on one database.
      ;({ dsn, drop } = await lastingDatabase(t))
      const db = await openDb(dsn)
      await migrateUp(db)
      await sql`insert into orthrus_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01T00:00:00.000Z')`.execute(db.kysely)
      await sql`alter table hydra_client add column future_column varchar(20) default 'x'`.execute(db.kysely)
      await db.close()
    })
    afterAll(() => drop())

    it('stops start-up with one line by default', async () => {
      const attempt = appsOn(dsn)
      await expect(attempt).rejects.toBeInstanceOf(StartupError)
      await expect(attempt).rejects.toThrow(
        /^the database was migrated by a newer Orthrus \(9999_from_the_future\): .*set db\.ignore_unknown_table_columns to true to run with them ignored$/,
      )
    })

    it('runs around the unknown column with db.ignore_unknown_table_columns', async () => {
      const env = await appsOn(dsn, { DB_IGNORE_UNKNOWN_TABLE_COLUMNS: 'true' })
      try {
        const created = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'future-proof' } })
        expect(created.statusCode, created.body).toBe(201)
        const id = (created.json() as { client_id: string }).client_id
        const read = await env.admin.inject({ method: 'GET', url: `/admin/clients/${id}` })
        expect(read.statusCode).toBe(200)
        expect(read.json()).not.toHaveProperty('future_column')
      } finally {
        await env.close()
      }
    })
  })
}
