// orthrus_dpop_jti: the DPoP proofs already presented (RFC 9449 §11.1), shared by every instance
// on the database. A proof is known by sha256(thumbprint:jti); its row lives until no instance
// would accept the proof any more, then the janitor removes it.
import type { Kysely } from 'kysely'
import type { DpopReplayStore } from '../../oauth2/dpop.js'
import type { Database } from '../schema.js'
import { claimOnce } from './claim-once.js'

export class SqlDpopReplayStore implements DpopReplayStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  claimDpopJti(signature: string, expiresAt: Date, now: Date): Promise<boolean> {
    return claimOnce(this.db, 'orthrus_dpop_jti', this.nid, signature, expiresAt, now)
  }
}
