import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'
import { columns } from './columns.js'

// Client secret rotation (POST /admin/clients/{id}/secrets/rotate): the hashes of a client's
// previous secrets, newest first, as a JSON array (Hydra's column name). They still
// authenticate until DELETE /admin/clients/{id}/secrets/rotate clears them. NULL means none.
export function clientRotatedSecrets(dialect: Dialect) {
  const c = columns(dialect)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('hydra_client').addColumn('rotated_secrets', c.text).execute()
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('hydra_client').dropColumn('rotated_secrets').execute()
    },
  }
}
