// A value that may be used once until it expires (a JWT's jti, a DPoP proof), shared by every
// instance on the database: the first insert claims it; a row left over after its expiry (not
// yet swept by the janitor) is claimed again by a conditional update that lets exactly one of
// several concurrent claims through.
import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { isUniqueViolation } from './errors.js'

export type OnceTable = 'hydra_oauth2_jti_blacklist' | 'orthrus_dpop_jti'

/** True when this call claimed `signature` until `expiresAt`; false when it is still taken at `now`. */
export async function claimOnce(db: Kysely<Database>, table: OnceTable, nid: string, signature: string, expiresAt: Date, now: Date): Promise<boolean> {
  try {
    await db.insertInto(table).values({ signature, nid, expires_at: expiresAt }).execute()
    return true
  } catch (e) {
    if (!isUniqueViolation(e)) throw e
  }
  const res = await db
    .updateTable(table)
    .set({ expires_at: expiresAt })
    .where('signature', '=', signature)
    .where('nid', '=', nid)
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}
