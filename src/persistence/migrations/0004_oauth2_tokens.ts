import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions, type Columns } from './columns.js'

// Hydra 2's token tables. Rows hold a token's signature (or a digest of it), never the token.
// Lists are '|'-joined as in Hydra; session_data is sealed with secrets.system.
const TOKEN_TABLES = ['hydra_oauth2_access', 'hydra_oauth2_refresh'] as const

function tokenTable(db: Kysely<unknown>, dialect: Dialect, c: Columns, name: string, refresh: boolean) {
  let t = db.schema
    .createTable(name)
    .addColumn('signature', c.id, (col) => col.notNull())
    .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('request_id', c.id, (col) => col.notNull())
    .addColumn('requested_at', c.timestamp, (col) => col.notNull())
    .addColumn('client_id', c.id, (col) => col.notNull())
    .addColumn('scope', c.text, (col) => col.notNull())
    .addColumn('granted_scope', c.text, (col) => col.notNull())
    .addColumn('requested_audience', c.text, (col) => col.notNull())
    .addColumn('granted_audience', c.text, (col) => col.notNull())
    .addColumn('form_data', c.text, (col) => col.notNull())
    .addColumn('session_data', c.text, (col) => col.notNull())
    .addColumn('subject', c.id, (col) => col.notNull())
    .addColumn('active', c.bool, (col) => col.notNull())
    .addColumn('challenge_id', c.id)
    .addColumn('expires_at', c.timestamp)
  if (refresh) {
    // Hydra 2's refresh-rotation bookkeeping, so the refresh grant needs no migration of its own.
    t = t
      .addColumn('first_used_at', c.timestamp)
      .addColumn('access_token_signature', c.id)
      .addColumn('used_times', c.bigint)
  }
  return tableOptions(dialect, t.addPrimaryKeyConstraint(`${name}_pk`, ['signature', 'nid']))
}

export function oauth2Tokens(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const name of TOKEN_TABLES) {
        await tokenTable(db, dialect, c, name, name === 'hydra_oauth2_refresh').execute()
        await db.schema.createIndex(`${name}_client_id_idx`).on(name).columns(['nid', 'client_id']).execute()
        await db.schema.createIndex(`${name}_request_id_idx`).on(name).columns(['nid', 'request_id']).execute()
        // The janitor deletes expired rows in batches by this column.
        await db.schema.createIndex(`${name}_expires_at_idx`).on(name).column('expires_at').execute()
      }
      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_oauth2_jti_blacklist')
          .addColumn('signature', c.id, (col) => col.notNull())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('expires_at', c.timestamp, (col) => col.notNull())
          .addPrimaryKeyConstraint('hydra_oauth2_jti_blacklist_pk', ['signature', 'nid']),
      ).execute()
      await db.schema
        .createIndex('hydra_oauth2_jti_blacklist_expires_at_idx')
        .on('hydra_oauth2_jti_blacklist')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_oauth2_jti_blacklist').execute()
      for (const name of [...TOKEN_TABLES].reverse()) await db.schema.dropTable(name).execute()
    },
  }
}
