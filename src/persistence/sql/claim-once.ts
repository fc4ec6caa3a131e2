// A value that may be used once until it expires (a JWT's jti, a DPoP proof), shared by every
// instance on the database: the first insert claims it; a row left over after its expiry (not
// yet swept by the janitor) is claimed again by a conditional update that lets exactly one of
// several concurrent claims through. Both work inside a unit of work too.
import { MysqlAdapter, type Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { isUniqueViolation } from './errors.js'

export type OnceTable = 'hydra_oauth2_jti_blacklist' | 'orthrus_dpop_jti'

/** True when this call claimed `signature` until `expiresAt`; false when it is still taken at `now`. */
export async function claimOnce(db: Kysely<Database>, table: OnceTable, nid: string, signature: string, expiresAt: Date, now: Date): Promise<boolean> {
  if (await insertIfAbsent(db, table, { signature, nid, expires_at: expiresAt })) return true
  const res = await db
    .updateTable(table)
    .set({ expires_at: expiresAt })
    .where('signature', '=', signature)
    .where('nid', '=', nid)
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

async function insertIfAbsent(db: Kysely<Database>, table: OnceTable, row: { signature: string; nid: string; expires_at: Date }): Promise<boolean> {
  const insert = db.insertInto(table).values(row)
  if (db.getExecutor().adapter instanceof MysqlAdapter) {
    // MySQL has no ON CONFLICT; a duplicate key fails only its statement, even in a transaction
    // (INSERT IGNORE would hide other errors as well).
    try {
      await insert.execute()
      return true
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
      return false
    }
  }
  // PostgreSQL aborts the whole transaction on a failed statement, so the taken value must not be
  // an error there; SQLite speaks the same clause.
  const res = await insert.onConflict((oc) => oc.doNothing()).executeTakeFirst()
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0
}
