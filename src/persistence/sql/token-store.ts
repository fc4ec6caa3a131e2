import { sql, type CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely'
import type { RefreshGrace, StoredToken, TokenKind, TokenStore } from '../../oauth2/store.js'
import { toDate, type RowReader } from '../db.js'
import type { Database, OAuth2TokenTable } from '../schema.js'
import { requestFromRow, requestToRow } from './request-row.js'
import { StatementCache } from './statement-cache.js'
import { claimOnce } from './claim-once.js'

// Both token tables share these columns; the refresh table's extra columns are nullable.
// Queries are typed against the access table and run against either.
type TokenTableName = 'hydra_oauth2_access'
const TABLE: Record<TokenKind, TokenTableName> = {
  access: 'hydra_oauth2_access',
  refresh: 'hydra_oauth2_refresh' as TokenTableName,
}

const COLUMNS = [
  'signature',
  'request_id',
  'requested_at',
  'client_id',
  'scope',
  'granted_scope',
  'requested_audience',
  'granted_audience',
  'form_data',
  'session_data',
  'subject',
  'active',
  'challenge_id',
  'expires_at',
] as const

type Row = Pick<Selectable<OAuth2TokenTable>, (typeof COLUMNS)[number]>

/** A row read as its values, in the order of COLUMNS (the select list). */
const rowOf = (v: readonly unknown[]): Row => {
  const row = {} as Record<(typeof COLUMNS)[number], unknown>
  for (let i = 0; i < COLUMNS.length; i++) row[COLUMNS[i]!] = v[i]
  return row as Row
}

export class SqlTokenStore implements TokenStore {
  private readonly statements = new StatementCache()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
    /** Group commit for inserts (see persistence/db.ts); plain execution when absent. */
    private readonly batchedWrite: (query: CompiledQuery) => Promise<unknown> = (query) => db.executeQuery(query),
    /** SQLite: the lookup by signature as a prepared statement, past Kysely's executor. */
    private readonly reader?: RowReader,
  ) {}

  private toRow(r: StoredToken): Insertable<OAuth2TokenTable> {
    // Added to the request's columns rather than spread into a new object: this is per token.
    return Object.assign(requestToRow(r), {
      nid: this.nid,
      session_data: r.sessionData,
      challenge_id: r.challengeId,
      expires_at: r.expiresAt,
    })
  }

  private fromRow(row: Row): StoredToken {
    return {
      ...requestFromRow(row),
      sessionData: row.session_data,
      challengeId: row.challenge_id,
      expiresAt: row.expires_at === null ? null : toDate(row.expires_at),
    }
  }

  async create(kind: TokenKind, record: StoredToken): Promise<void> {
    const row = this.toRow(record)
    // The shape is the columns given a value, in the order Kysely lists them.
    let shape = kind === 'access' ? 'insert access' : 'insert refresh'
    const values: unknown[] = []
    for (const c in row) {
      const v = row[c as keyof typeof row]
      if (v === undefined) continue
      shape += `,${c}`
      values.push(v)
    }
    const query = this.statements.compile(shape, values, () => this.db.insertInto(TABLE[kind]).values(row))
    await this.batchedWrite(query)
  }

  async get(kind: TokenKind, signature: string): Promise<StoredToken | undefined> {
    // The hot path of introspection: one primary-key lookup, in one statement with the check
    // that the token's client still exists (a client deleted by another instance is seen at
    // once, without a second round trip).
    const query = this.statements.compile(`get ${kind}`, [signature, this.nid], () =>
      this.db
        .selectFrom(TABLE[kind])
        .select(COLUMNS)
        .where('signature', '=', signature)
        .where('nid', '=', this.nid)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('hydra_client')
              .select('hydra_client.pk')
              .whereRef('hydra_client.nid', '=', `${TABLE[kind]}.nid`)
              .whereRef('hydra_client.id', '=', `${TABLE[kind]}.client_id`),
          ),
        ),
    )
    if (this.reader?.ready()) {
      const values = this.reader.first(query.sql, query.parameters)
      return values ? this.fromRow(rowOf(values)) : undefined
    }
    const { rows } = await this.db.executeQuery<Row>(query)
    const row = rows[0]
    return row ? this.fromRow(row) : undefined
  }

  async revokeRequest(requestId: string): Promise<void> {
    await this.db
      .deleteFrom(TABLE.access)
      .where('nid', '=', this.nid)
      .where('request_id', '=', requestId)
      .execute()
    await this.db
      .updateTable(TABLE.refresh)
      .set({ active: false })
      .where('nid', '=', this.nid)
      .where('request_id', '=', requestId)
      .execute()
  }

  async deleteClientTokens(clientId: string): Promise<number> {
    let deleted = 0
    for (const table of [TABLE.access, TABLE.refresh]) {
      const res = await this.db
        .deleteFrom(table)
        .where('nid', '=', this.nid)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      deleted += Number(res.numDeletedRows)
    }
    return deleted
  }

  useJti(signature: string, expiresAt: Date, now: Date): Promise<boolean> {
    // Known jti: usable again only once its earlier record has expired (claim-once.ts).
    return claimOnce(this.db, 'hydra_oauth2_jti_blacklist', this.nid, signature, expiresAt, now)
  }

  async useRefresh(signature: string, now: Date, grace?: RefreshGrace): Promise<boolean> {
    // Each update changes a column it filters on, so the affected-row count is reliable on
    // MySQL too (which counts changed rows, and has no RETURNING); concurrent callers queue on
    // the row lock and re-check the condition, so only one of them can win a use.
    const base = this.db
      .updateTable('hydra_oauth2_refresh')
      .where('signature', '=', signature)
      .where('nid', '=', this.nid)
      .where('active', '=', true)
    if (!grace) {
      const res = await base.set({ active: false, first_used_at: now, used_times: 1 }).executeTakeFirst()
      return Number(res.numUpdatedRows) > 0
    }
    const first = await base
      .set({ first_used_at: now, used_times: 1, expires_at: grace.until })
      .where('first_used_at', 'is', null)
      .executeTakeFirst()
    if (Number(first.numUpdatedRows) > 0) return true
    let again = base
      .set({ used_times: sql<number>`used_times + 1` })
      .where('first_used_at', 'is not', null)
      .where('expires_at', '>', now)
    // used_times counts the first use: reuseCount further uses end at reuseCount + 1.
    if (grace.reuseCount > 0) again = again.where('used_times', '<=', grace.reuseCount)
    const res = await again.executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async refreshUsed(signature: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('hydra_oauth2_refresh')
      .select('first_used_at')
      .where('signature', '=', signature)
      .where('nid', '=', this.nid)
      .executeTakeFirst()
    return row !== undefined && row.first_used_at !== null
  }
}
