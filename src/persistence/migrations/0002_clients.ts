import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { LIFESPAN_FIELDS } from '../../client/model.js'
import { columns, tableOptions } from './columns.js'

// Hydra 2 keeps a client as one denormalised row; lists are JSON arrays in text columns.
export function clients(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      let t = db.schema
        .createTable('hydra_client')
        .addColumn('pk', c.uuid, (col) => col.primaryKey())
        .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
        .addColumn('id', c.id, (col) => col.notNull())
        .addColumn('client_name', c.text, (col) => col.notNull())
        .addColumn('client_secret', c.text, (col) => col.notNull())
      for (const name of ['redirect_uris', 'grant_types', 'response_types', 'scope', 'audience']) {
        t = t.addColumn(name, c.text, (col) => col.notNull())
      }
      t = t.addColumn('owner', c.id, (col) => col.notNull())
      for (const name of ['policy_uri', 'tos_uri', 'client_uri', 'logo_uri', 'contacts']) {
        t = t.addColumn(name, c.text, (col) => col.notNull())
      }
      t = t
        .addColumn('client_secret_expires_at', c.bigint, (col) => col.notNull().defaultTo(0))
        .addColumn('sector_identifier_uri', c.text, (col) => col.notNull())
        .addColumn('jwks', c.text)
        .addColumn('jwks_uri', c.text, (col) => col.notNull())
        .addColumn('request_uris', c.text, (col) => col.notNull())
        .addColumn('token_endpoint_auth_method', c.id, (col) => col.notNull())
        .addColumn('token_endpoint_auth_signing_alg', c.id, (col) => col.notNull())
        .addColumn('request_object_signing_alg', c.id, (col) => col.notNull())
        .addColumn('userinfo_signed_response_alg', c.id, (col) => col.notNull())
        .addColumn('subject_type', c.id, (col) => col.notNull())
        .addColumn('allowed_cors_origins', c.text, (col) => col.notNull())
        .addColumn('frontchannel_logout_uri', c.text, (col) => col.notNull())
        .addColumn('frontchannel_logout_session_required', c.bool, (col) => col.notNull())
        .addColumn('post_logout_redirect_uris', c.text, (col) => col.notNull())
        .addColumn('backchannel_logout_uri', c.text, (col) => col.notNull())
        .addColumn('backchannel_logout_session_required', c.bool, (col) => col.notNull())
        .addColumn('metadata', c.text)
        .addColumn('registration_access_token_signature', c.id, (col) => col.notNull())
        .addColumn('skip_consent', c.bool, (col) => col.notNull())
        .addColumn('skip_logout_consent', c.bool, (col) => col.notNull())
        .addColumn('access_token_strategy', c.id, (col) => col.notNull())
      for (const name of LIFESPAN_FIELDS) t = t.addColumn(name, c.bigint)
      t = t
        .addColumn('created_at', c.timestamp, (col) => col.notNull())
        .addColumn('updated_at', c.timestamp, (col) => col.notNull())
        .addUniqueConstraint('hydra_client_nid_id_uq', ['nid', 'id'])
      await tableOptions(dialect, t).execute()
      await db.schema.createIndex('hydra_client_nid_owner_idx').on('hydra_client').columns(['nid', 'owner']).execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_client').execute()
    },
  }
}
