import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// DPoP (RFC 9449), an Orthrus addition:
// - orthrus_dpop_jti remembers the proofs already presented (§11.1): sha256 of the proof key's
//   thumbprint and its jti, until the proof would be too old to be accepted anyway. Every
//   instance on the database sees the same rows, so a proof replayed to another instance fails
//   there too; the janitor removes expired rows.
// - hydra_client.dpop_bound_access_tokens (§5.2): a client whose tokens must always be bound.
export function dpop(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('orthrus_dpop_jti')
          .addColumn('signature', c.id, (col) => col.notNull())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('expires_at', c.timestamp, (col) => col.notNull())
          .addPrimaryKeyConstraint('orthrus_dpop_jti_pk', ['signature', 'nid']),
      ).execute()
      await db.schema.createIndex('orthrus_dpop_jti_expires_at_idx').on('orthrus_dpop_jti').column('expires_at').execute()
      await db.schema
        .alterTable('hydra_client')
        .addColumn('dpop_bound_access_tokens', c.bool, (col) => col.notNull().defaultTo(dialect === 'sqlite' ? sql`0` : sql`false`))
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('hydra_client').dropColumn('dpop_bound_access_tokens').execute()
      await db.schema.dropTable('orthrus_dpop_jti').execute()
    },
  }
}
