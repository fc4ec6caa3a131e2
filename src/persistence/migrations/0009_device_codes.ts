import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// OAuth 2.0 Device Authorization Grant (RFC 8628):
// - hydra_oauth2_device_auth_codes holds one device authorization request, found by the HMAC
//   signature of its device code (`ory_dc_…`) or of its user code, never the codes themselves.
//   `status` moves pending -> authorized | denied -> used by conditional updates; the polling
//   interval and the last poll drive `slow_down` (RFC 8628 §3.5).
// - hydra_oauth2_device_challenge is the browser side before a user code is known (there is no
//   client yet, so it cannot be a hydra_oauth2_flow row): its CSRF value, the wrong user codes
//   it has seen, and the device code it was bound to. Once bound, the normal login and consent
//   flow (hydra_oauth2_flow) takes over; that flow's request_url names the device request.
// Both tables are cleaned up by their expires_at.
export function deviceCodes(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_oauth2_device_auth_codes')
          .addColumn('device_code_signature', c.id, (col) => col.notNull())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('user_code_signature', c.id, (col) => col.notNull())
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
          .addColumn('status', c.bigint, (col) => col.notNull())
          .addColumn('user_code_state', c.bigint, (col) => col.notNull())
          .addColumn('challenge_id', c.id)
          .addColumn('polling_interval', c.bigint, (col) => col.notNull())
          .addColumn('last_polled_at', c.timestamp)
          .addColumn('expires_at', c.timestamp, (col) => col.notNull())
          .addPrimaryKeyConstraint('hydra_oauth2_device_auth_codes_pk', ['device_code_signature', 'nid'])
          .addUniqueConstraint('hydra_oauth2_device_auth_codes_user_code_uq', ['nid', 'user_code_signature'])
          .addForeignKeyConstraint('hydra_oauth2_device_auth_codes_client_fk', ['nid', 'client_id'], 'hydra_client', ['nid', 'id'], (fk) =>
            fk.onDelete('cascade'),
          ),
      ).execute()
      await db.schema
        .createIndex('hydra_oauth2_device_auth_codes_request_id_idx')
        .on('hydra_oauth2_device_auth_codes')
        .columns(['nid', 'request_id'])
        .execute()
      await db.schema
        .createIndex('hydra_oauth2_device_auth_codes_expires_at_idx')
        .on('hydra_oauth2_device_auth_codes')
        .column('expires_at')
        .execute()

      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_oauth2_device_challenge')
          .addColumn('id', c.id, (col) => col.primaryKey())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('csrf', c.id, (col) => col.notNull())
          .addColumn('state', c.bigint, (col) => col.notNull())
          .addColumn('failed_attempts', c.bigint, (col) => col.notNull())
          .addColumn('device_code_signature', c.id)
          .addColumn('requested_at', c.timestamp, (col) => col.notNull())
          .addColumn('expires_at', c.timestamp, (col) => col.notNull()),
      ).execute()
      await db.schema
        .createIndex('hydra_oauth2_device_challenge_expires_at_idx')
        .on('hydra_oauth2_device_challenge')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_oauth2_device_challenge').execute()
      await db.schema.dropTable('hydra_oauth2_device_auth_codes').execute()
    },
  }
}
