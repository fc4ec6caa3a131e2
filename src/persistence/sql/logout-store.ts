import type { Kysely, Selectable } from 'kysely'
import type { LogoutRequest, LogoutStore } from '../../flow/logout-store.js'
import { FlowState } from '../../flow/model.js'
import { toBool, toDate } from '../db.js'
import type { Database, LogoutRequestTable } from '../schema.js'

const fromRow = (r: Selectable<LogoutRequestTable>): LogoutRequest => ({
  id: r.challenge,
  subject: r.subject,
  sid: r.sid,
  clientId: r.client_id,
  requestUrl: r.request_url,
  redirectUrl: r.redir_url,
  csrf: r.csrf,
  rpInitiated: toBool(r.rp_initiated),
  accepted: toBool(r.accepted),
  rejected: toBool(r.rejected),
  wasUsed: toBool(r.was_used),
  requestedAt: toDate(r.requested_at),
  expiresAt: toDate(r.expires_at),
})

export class SqlLogoutStore implements LogoutStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async createLogoutRequest(r: LogoutRequest): Promise<void> {
    await this.db
      .insertInto('hydra_oauth2_logout_request')
      .values({
        challenge: r.id,
        nid: this.nid,
        subject: r.subject,
        sid: r.sid,
        client_id: r.clientId,
        request_url: r.requestUrl,
        redir_url: r.redirectUrl,
        csrf: r.csrf,
        rp_initiated: r.rpInitiated,
        accepted: r.accepted,
        rejected: r.rejected,
        was_used: r.wasUsed,
        requested_at: r.requestedAt,
        expires_at: r.expiresAt,
      })
      .execute()
  }

  async getLogoutRequest(id: string): Promise<LogoutRequest | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_logout_request')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('challenge', '=', id)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async decideLogoutRequest(id: string, accepted: boolean): Promise<boolean> {
    const res = await this.db
      .updateTable('hydra_oauth2_logout_request')
      .set(accepted ? { accepted: true } : { rejected: true })
      .where('nid', '=', this.nid)
      .where('challenge', '=', id)
      .where('accepted', '=', false)
      .where('rejected', '=', false)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async consumeLogoutRequest(id: string): Promise<boolean> {
    const res = await this.db
      .updateTable('hydra_oauth2_logout_request')
      .set({ was_used: true })
      .where('nid', '=', this.nid)
      .where('challenge', '=', id)
      .where('accepted', '=', true)
      .where('was_used', '=', false)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async clientsOfSession(sid: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('hydra_oauth2_flow')
      .select('client_id')
      .distinct()
      .where('nid', '=', this.nid)
      .where('login_session_id', '=', sid)
      .where('state', '=', FlowState.ConsentUsed)
      .where('consent_error', 'is', null)
      .execute()
    return rows.map((r) => r.client_id)
  }
}
