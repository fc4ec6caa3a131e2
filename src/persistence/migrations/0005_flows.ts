import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions, type Columns } from './columns.js'

// The browser flow of the authorization endpoint, in Hydra 2's tables:
// - hydra_oauth2_flow keeps a login and its consent in one row, keyed by the login challenge id;
//   remembered consents are found again by (subject, client_id).
// - hydra_oauth2_authentication_session is the remembered login behind the session cookie.
// - hydra_oauth2_code holds issued authorization codes by HMAC signature (never the code), with
//   the PKCE challenge in the same row so that one conditional update consumes both.

function flowTable(db: Kysely<unknown>, dialect: Dialect, c: Columns) {
  const t = db.schema
    .createTable('hydra_oauth2_flow')
    .addColumn('login_challenge', c.id, (col) => col.primaryKey())
    .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('client_id', c.id, (col) => col.notNull())
    .addColumn('state', c.bigint, (col) => col.notNull())
    .addColumn('requested_at', c.timestamp, (col) => col.notNull())
    .addColumn('request_url', c.text, (col) => col.notNull())
    // The validated authorization request (JSON), so later steps never re-trust the browser.
    .addColumn('authorize_request', c.text, (col) => col.notNull())
    .addColumn('requested_scope', c.text, (col) => col.notNull())
    .addColumn('requested_at_audience', c.text, (col) => col.notNull())
    .addColumn('oidc_context', c.text, (col) => col.notNull())
    .addColumn('login_skip', c.bool, (col) => col.notNull())
    .addColumn('subject', c.id, (col) => col.notNull())
    .addColumn('login_session_id', c.id, (col) => col.notNull())
    .addColumn('login_csrf', c.id, (col) => col.notNull())
    .addColumn('login_remember', c.bool, (col) => col.notNull())
    .addColumn('login_remember_for', c.bigint, (col) => col.notNull())
    .addColumn('login_extend_session_lifespan', c.bool, (col) => col.notNull())
    .addColumn('acr', c.text, (col) => col.notNull())
    .addColumn('amr', c.text, (col) => col.notNull())
    .addColumn('forced_subject_identifier', c.id, (col) => col.notNull())
    .addColumn('context', c.text, (col) => col.notNull())
    .addColumn('identity_provider_session_id', c.id, (col) => col.notNull())
    .addColumn('login_was_used', c.bool, (col) => col.notNull())
    .addColumn('login_error', c.text)
    .addColumn('login_authenticated_at', c.timestamp)
    .addColumn('consent_challenge_id', c.id)
    .addColumn('consent_skip', c.bool, (col) => col.notNull())
    .addColumn('consent_csrf', c.id)
    .addColumn('granted_scope', c.text, (col) => col.notNull())
    .addColumn('granted_at_audience', c.text, (col) => col.notNull())
    .addColumn('consent_remember', c.bool, (col) => col.notNull())
    .addColumn('consent_remember_for', c.bigint, (col) => col.notNull())
    .addColumn('consent_handled_at', c.timestamp)
    .addColumn('consent_was_used', c.bool, (col) => col.notNull())
    .addColumn('consent_error', c.text)
    .addColumn('session_id_token', c.text, (col) => col.notNull())
    .addColumn('session_access_token', c.text, (col) => col.notNull())
    .addUniqueConstraint('hydra_oauth2_flow_consent_challenge_id_uq', ['consent_challenge_id'])
    // Deleting a client forgets its flows, and with them its remembered consents.
    .addForeignKeyConstraint('hydra_oauth2_flow_client_fk', ['nid', 'client_id'], 'hydra_client', ['nid', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
  return tableOptions(dialect, t)
}

function sessionTable(db: Kysely<unknown>, dialect: Dialect, c: Columns) {
  return tableOptions(
    dialect,
    db.schema
      .createTable('hydra_oauth2_authentication_session')
      .addColumn('id', c.id, (col) => col.primaryKey())
      .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
      .addColumn('authenticated_at', c.timestamp)
      .addColumn('subject', c.id, (col) => col.notNull())
      .addColumn('remember', c.bool, (col) => col.notNull())
      .addColumn('identity_provider_session_id', c.id)
      .addColumn('expires_at', c.timestamp),
  )
}

function codeTable(db: Kysely<unknown>, dialect: Dialect, c: Columns) {
  return tableOptions(
    dialect,
    db.schema
      .createTable('hydra_oauth2_code')
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
      .addColumn('code_challenge', c.id)
      .addColumn('code_challenge_method', c.id)
      .addPrimaryKeyConstraint('hydra_oauth2_code_pk', ['signature', 'nid'])
      .addForeignKeyConstraint('hydra_oauth2_code_client_fk', ['nid', 'client_id'], 'hydra_client', ['nid', 'id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  )
}

export function flows(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await flowTable(db, dialect, c).execute()
      // The remembered-consent lookup: the newest used flow of a subject with a client.
      await db.schema
        .createIndex('hydra_oauth2_flow_subject_client_idx')
        .on('hydra_oauth2_flow')
        .columns(['nid', 'subject', 'client_id'])
        .execute()
      await db.schema
        .createIndex('hydra_oauth2_flow_login_session_idx')
        .on('hydra_oauth2_flow')
        .columns(['nid', 'login_session_id'])
        .execute()
      await db.schema.createIndex('hydra_oauth2_flow_requested_at_idx').on('hydra_oauth2_flow').column('requested_at').execute()

      await sessionTable(db, dialect, c).execute()
      await db.schema
        .createIndex('hydra_oauth2_authentication_session_subject_idx')
        .on('hydra_oauth2_authentication_session')
        .columns(['nid', 'subject'])
        .execute()
      await db.schema
        .createIndex('hydra_oauth2_authentication_session_expires_at_idx')
        .on('hydra_oauth2_authentication_session')
        .column('expires_at')
        .execute()

      await codeTable(db, dialect, c).execute()
      await db.schema.createIndex('hydra_oauth2_code_request_id_idx').on('hydra_oauth2_code').columns(['nid', 'request_id']).execute()
      await db.schema.createIndex('hydra_oauth2_code_challenge_id_idx').on('hydra_oauth2_code').columns(['nid', 'challenge_id']).execute()
      await db.schema.createIndex('hydra_oauth2_code_expires_at_idx').on('hydra_oauth2_code').column('expires_at').execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_oauth2_code').execute()
      await db.schema.dropTable('hydra_oauth2_authentication_session').execute()
      await db.schema.dropTable('hydra_oauth2_flow').execute()
    },
  }
}
