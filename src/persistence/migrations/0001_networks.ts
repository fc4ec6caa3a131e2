import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// Every row of every table belongs to a network (Hydra's `nid`), so one database can
// later hold several. The first network is created with the schema.
export function networks(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('networks')
          .addColumn('id', c.uuid, (col) => col.primaryKey())
          .addColumn('created_at', c.timestamp, (col) => col.notNull())
          .addColumn('updated_at', c.timestamp, (col) => col.notNull()),
      ).execute()
      const now = new Date()
      // SQLite stores instants as ISO text; the driver adapter only converts Dates on bound parameters.
      await db
        .insertInto('networks' as never)
        .values({ id: randomUUID(), created_at: now, updated_at: now } as never)
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('networks').execute()
    },
  }
}
