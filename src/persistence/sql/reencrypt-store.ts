// SQL for `orthrus secrets reencrypt` (rotation/reencrypt.ts): pages of sealed values in
// primary-key order, and a compare-and-set update per value, so a row a server rewrites or
// deletes meanwhile is never overwritten with stale data.
import { sql, type Kysely } from 'kysely'
import type { SealedColumn, SealedValue, SealedValueStore } from '../../rotation/reencrypt.js'
import type { Db } from '../db.js'
import { existingTables, type AnyTables } from './existing-tables.js'

const COLUMNS: Record<SealedColumn, { table: string; key: string; column: string }> = {
  jwk: { table: 'hydra_jwk', key: 'pk', column: 'keydata' },
  'trust-key': { table: 'hydra_oauth2_trusted_jwt_bearer_issuer', key: 'id', column: 'key_data' },
  'access-session': { table: 'hydra_oauth2_access', key: 'signature', column: 'session_data' },
  'refresh-session': { table: 'hydra_oauth2_refresh', key: 'signature', column: 'session_data' },
  'code-session': { table: 'hydra_oauth2_code', key: 'signature', column: 'session_data' },
  'device-session': { table: 'hydra_oauth2_device_auth_codes', key: 'device_code_signature', column: 'session_data' },
}

export class SqlReencryptStore implements SealedValueStore {
  private readonly db: Kysely<AnyTables>
  private readonly exists: (table: string) => Promise<boolean>

  constructor(handle: Db) {
    this.db = handle.kysely as unknown as Kysely<AnyTables>
    this.exists = existingTables(handle)
  }

  async has(column: SealedColumn): Promise<boolean> {
    return this.exists(COLUMNS[column].table)
  }

  async page(column: SealedColumn, after: string | undefined, limit: number): Promise<SealedValue[]> {
    const c = COLUMNS[column]
    let q = this.db.selectFrom(c.table).select([sql.ref<string>(c.key).as('k'), sql.ref<string>(c.column).as('v')])
    if (after !== undefined) q = q.where(c.key, '>', after)
    const rows = await q.orderBy(c.key).limit(limit).execute()
    return rows.map((r) => ({ key: String(r.k), value: String(r.v) }))
  }

  async replace(column: SealedColumn, key: string, expected: string, next: string): Promise<boolean> {
    const c = COLUMNS[column]
    const res = await this.db
      .updateTable(c.table)
      .set({ [c.column]: next })
      .where(c.key, '=', key)
      .where(c.column, '=', expected)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }
}
