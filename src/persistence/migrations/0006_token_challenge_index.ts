import type { Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'

// Revoking a consent session deletes every token issued under it, found by the consent id in
// challenge_id (DELETE /admin/oauth2/auth/sessions/consent). Without an index that is a scan
// of the largest tables on every revocation.
const TABLES = ['hydra_oauth2_access', 'hydra_oauth2_refresh'] as const
const indexName = (table: string) => `${table}_challenge_id_idx`

export function tokenChallengeIndex(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const table of TABLES) {
        await db.schema.createIndex(indexName(table)).on(table).columns(['nid', 'challenge_id']).execute()
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of TABLES) {
        // MySQL names an index per table; PostgreSQL and SQLite per schema and refuse ON.
        const drop = db.schema.dropIndex(indexName(table))
        await (dialect === 'mysql' ? drop.on(table) : drop).execute()
      }
    },
  }
}
