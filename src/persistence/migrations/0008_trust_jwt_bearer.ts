import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns, tableOptions } from './columns.js'

// RFC 7523 §2.1 trust relationships, as Hydra's hydra_oauth2_trusted_jwt_bearer_issuer: an
// issuer whose key may sign jwt-bearer assertions for one subject (or any, allow_any_subject),
// limited to `scope` (a JSON array) until expires_at. key_set/key_id name the key as Hydra
// reports it (the set is the issuer); `key_data` is an Orthrus addition holding the public JWK
// sealed with secrets.system, so a relationship and its key live and die in one row.
// On MySQL the unique key (nid, issuer, subject, key_id) must fit InnoDB's 3072-byte limit in
// utf8mb4, so key_id is varchar(128) there (the domain limits kids to 128 characters everywhere).
export function trustJwtBearer(dialect: Dialect) {
  const c = columns(dialect)
  const keyId = dialect === 'mysql' ? sql`varchar(128)` : c.id
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await tableOptions(
        dialect,
        db.schema
          .createTable('hydra_oauth2_trusted_jwt_bearer_issuer')
          .addColumn('id', c.uuid, (col) => col.primaryKey())
          .addColumn('nid', c.uuid, (col) => col.notNull().references('networks.id').onDelete('cascade'))
          .addColumn('issuer', c.id, (col) => col.notNull())
          .addColumn('subject', c.id, (col) => col.notNull())
          .addColumn('allow_any_subject', c.bool, (col) => col.notNull())
          .addColumn('scope', c.text, (col) => col.notNull())
          .addColumn('key_set', c.id, (col) => col.notNull())
          .addColumn('key_id', keyId, (col) => col.notNull())
          .addColumn('key_data', c.text, (col) => col.notNull())
          .addColumn('created_at', c.timestamp, (col) => col.notNull())
          .addColumn('expires_at', c.timestamp, (col) => col.notNull())
          .addUniqueConstraint('hydra_oauth2_trusted_jwt_bearer_issuer_nid_uq', ['nid', 'issuer', 'subject', 'key_id']),
      ).execute()
      await db.schema
        .createIndex('hydra_oauth2_trusted_jwt_bearer_issuer_expires_at_idx')
        .on('hydra_oauth2_trusted_jwt_bearer_issuer')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('hydra_oauth2_trusted_jwt_bearer_issuer').execute()
    },
  }
}
