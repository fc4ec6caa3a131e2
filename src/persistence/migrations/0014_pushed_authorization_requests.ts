import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// RFC 9126 pushed authorization requests (an Orthrus addition; Hydra has no such table). A row is
// keyed by the SHA-256 of its request_uri, so the stored key alone cannot be used at the
// authorization endpoint; request_data holds the validated parameters, sealed like other flow
// data. `used` makes a request_uri single-use across instances; the janitor removes rows once
// they expire. The client metadata `require_pushed_authorization_requests` (RFC 9126 §6) joins
// the client table.
export function pushedAuthorizationRequests(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('orthrus_oauth2_par')
          .addColumn('signature', c.id, (col) => col.primaryKey())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('client_id', c.id, (col) => col.notNull())
          .addColumn('request_data', c.text, (col) => col.notNull())
          .addColumn('used', c.bool, (col) => col.notNull())
          .addColumn('requested_at', c.timestamp, (col) => col.notNull())
          .addColumn('expires_at', c.timestamp, (col) => col.notNull()),
      ).execute()
      await db.schema.createIndex('orthrus_oauth2_par_expires_at_idx').on('orthrus_oauth2_par').column('expires_at').execute()
      await db.schema
        .alterTable('hydra_client')
        .addColumn('require_pushed_authorization_requests', c.bool, (col) => col.notNull().defaultTo(false))
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('hydra_client').dropColumn('require_pushed_authorization_requests').execute()
      await db.schema.dropTable('orthrus_oauth2_par').execute()
    },
  }
}
