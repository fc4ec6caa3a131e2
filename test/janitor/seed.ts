// Rows for the janitor tests, written straight into the tables.
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/persistence/schema.js'

export const HOUR = 3_600_000
export const ago = (ms: number, now = Date.now()) => new Date(now - ms)

export interface TokenOpts {
  requestedAt: Date
  expiresAt: Date | null
  active?: boolean
  clientId?: string
}

export function tokenRow(nid: string, signature: string, o: TokenOpts) {
  return {
    signature,
    nid,
    request_id: randomUUID(),
    requested_at: o.requestedAt,
    client_id: o.clientId ?? 'janitor-client',
    scope: 'read',
    granted_scope: 'read',
    requested_audience: '',
    granted_audience: '',
    form_data: '',
    session_data: 'sealed',
    subject: 'janitor-client',
    active: o.active ?? true,
    challenge_id: null,
    expires_at: o.expiresAt,
  }
}

/** Inserts many rows with multi-row inserts inside one transaction (fast on every engine). */
export async function bulkInsertAccess(db: Kysely<Database>, nid: string, count: number, o: TokenOpts, prefix = 'bulk'): Promise<void> {
  const chunk = 500
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i += chunk) {
      const rows = []
      for (let j = i; j < Math.min(count, i + chunk); j++) rows.push(tokenRow(nid, `${prefix}-${String(j).padStart(7, '0')}`, o))
      await trx.insertInto('hydra_oauth2_access').values(rows).execute()
    }
  })
}

export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return Number(r.n)
}
