// orthrus_dpop_jti: the DPoP proofs already presented (RFC 9449 §11.1), shared by every instance
// on the database. A proof is known by sha256(thumbprint:jti); its row lives until no instance
// would accept the proof any more, then the janitor removes it.
import type { Kysely } from 'kysely'
import type { DpopReplayStore } from '../../oauth2/dpop.js'
import type { Database } from '../schema.js'
import { isUniqueViolation } from './errors.js'

export class SqlDpopReplayStore implements DpopReplayStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async claimDpopJti(signature: string, expiresAt: Date, now: Date): Promise<boolean> {
    try {
      await this.db.insertInto('orthrus_dpop_jti').values({ signature, nid: this.nid, expires_at: expiresAt }).execute()
      return true
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
    }
    // A row left over after its expiry (not yet swept) does not block a new proof; the
    // conditional update lets exactly one of concurrent claims through.
    const res = await this.db
      .updateTable('orthrus_dpop_jti')
      .set({ expires_at: expiresAt })
      .where('signature', '=', signature)
      .where('nid', '=', this.nid)
      .where('expires_at', '<=', now)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }
}
