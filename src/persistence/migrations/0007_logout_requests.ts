import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// OpenID Connect RP-Initiated Logout 1.0: one row per logout request, as Hydra's
// hydra_oauth2_logout_request. The challenge id is the key; the verifier is derived from it by
// the flow codec, so was_used is what makes the verifier single-use. client_id is nullable (a
// logout without id_token_hint or client_id names no client) and so carries no foreign key.
export function logoutRequests(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_oauth2_logout_request')
          .addColumn('challenge', c.id, (col) => col.primaryKey())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('subject', c.id, (col) => col.notNull())
          .addColumn('sid', c.id, (col) => col.notNull())
          .addColumn('client_id', c.id)
          .addColumn('request_url', c.text, (col) => col.notNull())
          .addColumn('redir_url', c.text, (col) => col.notNull())
          .addColumn('csrf', c.id, (col) => col.notNull())
          .addColumn('rp_initiated', c.bool, (col) => col.notNull())
          .addColumn('accepted', c.bool, (col) => col.notNull())
          .addColumn('rejected', c.bool, (col) => col.notNull())
          .addColumn('was_used', c.bool, (col) => col.notNull())
          .addColumn('requested_at', c.timestamp, (col) => col.notNull())
          .addColumn('expires_at', c.timestamp, (col) => col.notNull()),
      ).execute()
      await db.schema
        .createIndex('hydra_oauth2_logout_request_expires_at_idx')
        .on('hydra_oauth2_logout_request')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_oauth2_logout_request').execute()
    },
  }
}
