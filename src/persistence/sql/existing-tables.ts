// For the maintenance commands' stores (janitor, secrets reencrypt), which address tables by name
// so that a table a database lacks (an older schema) is skipped rather than failing the run.
import type { Db } from '../db.js'

/** Any table by name: these stores need no typed schema entry for the tables they touch. */
export type AnyTables = Record<string, Record<string, unknown>>

/** Whether a table exists; the database is asked once, on first use. */
export function existingTables(handle: Db): (table: string) => Promise<boolean> {
  let tables: Promise<Set<string>> | undefined
  return async (table) => {
    tables ??= handle.kysely.introspection.getTables().then(
      (list) =>
        new Set(
          list
            // PostgreSQL lists every schema's tables: only the one on the search path counts.
            .filter((t) => handle.dialect !== 'postgres' || handle.schema === undefined || t.schema === handle.schema)
            .map((t) => t.name),
        ),
    )
    return (await tables).has(table)
  }
}
