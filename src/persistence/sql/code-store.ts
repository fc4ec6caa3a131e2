import type { Insertable, Kysely, Selectable } from 'kysely'
import { DecryptionError } from '../../crypto/aead.js'
import type { SessionSealer } from '../../crypto/session-data.js'
import type { AuthorizeCodeRecord, AuthorizeCodeSession, AuthorizeCodeStore } from '../../oauth2/code-store.js'
import type { PkceMethod } from '../../oauth2/pkce.js'
import { toDate } from '../db.js'
import type { Database, OAuth2CodeTable } from '../schema.js'
import { requestFromRow, requestToRow } from './request-row.js'

// The same row shape as Hydra's code table (and our token tables, see request-row.ts), with
// the session sealed with secrets.system.
const SESSION_PURPOSE = 'session'

type Row = Selectable<OAuth2CodeTable>

export class SqlAuthorizeCodeStore implements AuthorizeCodeStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
    private readonly sessions: SessionSealer,
  ) {}

  private toRow(r: AuthorizeCodeRecord): Insertable<OAuth2CodeTable> {
    return {
      ...requestToRow(r),
      nid: this.nid,
      session_data: this.sessions.seal(JSON.stringify(r.session), SESSION_PURPOSE),
      challenge_id: r.challengeId,
      expires_at: r.expiresAt,
      code_challenge: r.pkce?.challenge ?? null,
      code_challenge_method: r.pkce?.method ?? null,
    }
  }

  private fromRow(row: Row): AuthorizeCodeRecord {
    const session = JSON.parse(this.sessions.open(row.session_data, SESSION_PURPOSE).toString('utf8')) as AuthorizeCodeSession
    return {
      ...requestFromRow(row),
      session,
      challengeId: row.challenge_id ?? '',
      expiresAt: row.expires_at === null ? new Date(0) : toDate(row.expires_at),
      pkce:
        row.code_challenge === null || row.code_challenge_method === null
          ? undefined
          : { challenge: row.code_challenge, method: row.code_challenge_method as PkceMethod },
    }
  }

  async create(record: AuthorizeCodeRecord): Promise<void> {
    await this.db.insertInto('hydra_oauth2_code').values(this.toRow(record)).execute()
  }

  async get(signature: string): Promise<AuthorizeCodeRecord | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_code')
      .selectAll()
      .where('signature', '=', signature)
      .where('nid', '=', this.nid)
      .executeTakeFirst()
    if (!row) return undefined
    try {
      return this.fromRow(row)
    } catch (e) {
      // Sealed under a secret that is no longer configured: the code cannot be honoured, which
      // the grant reports as an invalid code rather than a server failure.
      if (e instanceof DecryptionError) return undefined
      throw e
    }
  }

  async invalidate(signature: string): Promise<boolean> {
    // active flips true -> false, so the row count is reliable on MySQL too.
    const res = await this.db
      .updateTable('hydra_oauth2_code')
      .set({ active: false })
      .where('signature', '=', signature)
      .where('nid', '=', this.nid)
      .where('active', '=', true)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }
}
