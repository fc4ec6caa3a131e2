// hydra_oauth2_trusted_jwt_bearer_issuer: RFC 7523 trust relationships, keyed by UUID per network.
import type { Kysely, Selectable } from 'kysely'
import type { Page } from '../../client/store.js'
import { conflict } from '../../oauth2/errors.js'
import type { StoredTrust, TrustListQuery, TrustStore } from '../../trust/store.js'
import { toBool, toDate } from '../db.js'
import type { Database, TrustedJwtBearerIssuerTable } from '../schema.js'
import { isUniqueViolation } from './errors.js'
import { keysetPage } from './keyset-page.js'

type Row = Selectable<TrustedJwtBearerIssuerTable>

function scopeList(v: string): string[] {
  try {
    const parsed: unknown = JSON.parse(v)
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

function fromRow(r: Row): StoredTrust {
  return {
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    allowAnySubject: toBool(r.allow_any_subject),
    scope: scopeList(r.scope),
    keySet: r.key_set,
    keyId: r.key_id,
    keyData: r.key_data,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
  }
}

// The id column is a uuid on PostgreSQL: anything else could only fail there, so it matches nothing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// A bound on what one lookup may return; an issuer with more live relationships is misconfigured.
const MAX_MATCHES = 100

export class SqlTrustStore implements TrustStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async create(t: StoredTrust): Promise<void> {
    try {
      await this.db
        .insertInto('hydra_oauth2_trusted_jwt_bearer_issuer')
        .values({
          id: t.id,
          nid: this.nid,
          issuer: t.issuer,
          subject: t.subject,
          allow_any_subject: t.allowAnySubject,
          scope: JSON.stringify(t.scope),
          key_set: t.keySet,
          key_id: t.keyId,
          key_data: t.keyData,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
        })
        .execute()
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict('A trust relationship with the same issuer, subject and key id exists already.')
      }
      throw e
    }
  }

  async get(id: string): Promise<StoredTrust | undefined> {
    if (!UUID.test(id)) return undefined
    const row = await this.db
      .selectFrom('hydra_oauth2_trusted_jwt_bearer_issuer')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async delete(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false
    const res = await this.db
      .deleteFrom('hydra_oauth2_trusted_jwt_bearer_issuer')
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(res.numDeletedRows) > 0
  }

  async list(q: TrustListQuery): Promise<Page<StoredTrust>> {
    let base = this.db.selectFrom('hydra_oauth2_trusted_jwt_bearer_issuer').where('nid', '=', this.nid)
    if (q.issuer !== undefined) base = base.where('issuer', '=', q.issuer)
    if (q.after !== undefined && !UUID.test(q.after)) return { items: [], hasMore: false, total: 0 }
    return keysetPage(
      q.pageSize,
      {
        rows: (limit) => (q.after === undefined ? base : base.where('id', '>', q.after)).selectAll().orderBy('id').limit(limit).execute(),
        count: () => base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      },
      fromRow,
    )
  }

  async findActive(issuer: string, subject: string | undefined, now: Date): Promise<StoredTrust[]> {
    let query = this.db
      .selectFrom('hydra_oauth2_trusted_jwt_bearer_issuer')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('issuer', '=', issuer)
      .where('expires_at', '>', now)
    if (subject !== undefined) {
      query = query.where((eb) => eb.or([eb('subject', '=', subject), eb('allow_any_subject', '=', true)]))
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(MAX_MATCHES).execute()
    return rows.map(fromRow)
  }
}
