// Read-only figures for the admin console's overview (src/observability/status.ts): how many
// tokens are live right now. One COUNT per table, filtered by network, active flag and expiry;
// asked for when an operator opens the overview, never on a request path.
import type { Kysely } from 'kysely'
import { toNumber } from '../db.js'
import type { Database } from '../schema.js'

export interface LiveTokenCounts {
  accessTokens: number
  refreshTokens: number
}

export class SqlStatusStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async liveTokens(now: Date): Promise<LiveTokenCounts> {
    const count = async (table: 'hydra_oauth2_access' | 'hydra_oauth2_refresh'): Promise<number> => {
      const row = await this.db
        .selectFrom(table)
        .where('nid', '=', this.nid)
        .where('active', '=', true)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
      return toNumber(row.n)
    }
    const [accessTokens, refreshTokens] = await Promise.all([count('hydra_oauth2_access'), count('hydra_oauth2_refresh')])
    return { accessTokens, refreshTokens }
  }
}
