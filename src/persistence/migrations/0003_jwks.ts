import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// Hydra 2's hydra_jwk: one row per key, `keydata` holds the whole private JWK sealed with
// secrets.system (never plaintext). `version` is kept for Hydra's shape; Orthrus writes 0.
export function jwks(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_jwk')
          .addColumn('pk', c.uuid, (col) => col.primaryKey())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('sid', c.id, (col) => col.notNull())
          .addColumn('kid', c.id, (col) => col.notNull())
          .addColumn('version', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('keydata', c.text, (col) => col.notNull())
          .addColumn('created_at', c.timestamp, (col) => col.notNull())
          .addUniqueConstraint('hydra_jwk_nid_sid_kid_uq', ['nid', 'sid', 'kid']),
      ).execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_jwk').execute()
    },
  }
}
