import type { Kysely } from 'kysely'
import type { PushedRequest, PushedRequestStore } from '../../oauth2/par.js'
import { toBool, toDate } from '../db.js'
import type { Database } from '../schema.js'

/** RFC 9126 pushed authorization requests in orthrus_oauth2_par (migration 0014). */
export class SqlPushedRequestStore implements PushedRequestStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async createPushedRequest(r: PushedRequest): Promise<void> {
    await this.db
      .insertInto('orthrus_oauth2_par')
      .values({
        signature: r.signature,
        nid: this.nid,
        client_id: r.clientId,
        request_data: r.requestData,
        used: r.used,
        requested_at: r.requestedAt,
        expires_at: r.expiresAt,
      })
      .execute()
  }

  async getPushedRequest(signature: string): Promise<PushedRequest | undefined> {
    const row = await this.db
      .selectFrom('orthrus_oauth2_par')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('signature', '=', signature)
      .executeTakeFirst()
    if (!row) return undefined
    return {
      signature: row.signature,
      clientId: row.client_id,
      requestData: row.request_data,
      used: toBool(row.used),
      requestedAt: toDate(row.requested_at),
      expiresAt: toDate(row.expires_at),
    }
  }

  async usePushedRequest(signature: string): Promise<boolean> {
    const res = await this.db
      .updateTable('orthrus_oauth2_par')
      .set({ used: true })
      .where('nid', '=', this.nid)
      .where('signature', '=', signature)
      .where('used', '=', false)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }
}
