// The janitor's SQL: one bounded batch at a time. A batch selects up to N primary keys of
// matching rows after the previous batch's last key (keyset on the primary key, so a run reads
// each table once however many batches it takes), then deletes exactly those keys, re-checking
// the rule so a row that changed in between stays. Both are single autocommit statements.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import type { JanitorStore, JanitorTarget, PurgeRule } from '../../janitor/model.js'
import type { Db } from '../db.js'
import { existingTables, type AnyTables } from './existing-tables.js'

// Tables are addressed by name so that a table a later migration adds (or one not yet created
// in this database) needs no typed schema entry; hasTarget() checks it exists first.
type Eb = ExpressionBuilder<AnyTables, string>

interface TargetTable {
  table: string
  /** The primary key column besides nid. */
  key: string
}

const TABLES: Record<JanitorTarget, TargetTable> = {
  access: { table: 'hydra_oauth2_access', key: 'signature' },
  refresh: { table: 'hydra_oauth2_refresh', key: 'signature' },
  code: { table: 'hydra_oauth2_code', key: 'signature' },
  jti: { table: 'hydra_oauth2_jti_blacklist', key: 'signature' },
  'dpop-jti': { table: 'orthrus_dpop_jti', key: 'signature' },
  flow: { table: 'hydra_oauth2_flow', key: 'login_challenge' },
  logout: { table: 'hydra_oauth2_logout_request', key: 'challenge' },
  device: { table: 'hydra_oauth2_device_auth_codes', key: 'device_code_signature' },
  'device-challenge': { table: 'hydra_oauth2_device_challenge', key: 'id' },
  par: { table: 'orthrus_oauth2_par', key: 'signature' },
  trust: { table: 'hydra_oauth2_trusted_jwt_bearer_issuer', key: 'id' },
}

/** hydra_oauth2_flow.state of a flow whose consent verifier was used (flow/model.ts). */
const CONSENT_USED = 6

function ruleExpression(eb: Eb, rule: PurgeRule): Expression<SqlBool> | undefined {
  const ors: Array<Expression<SqlBool>> = []
  const ref = (c: string) => eb.ref(c)
  if (rule.expiredBefore) ors.push(eb(ref('expires_at'), '<', rule.expiredBefore))
  if (rule.requestedBefore) ors.push(eb(ref('requested_at'), '<', rule.requestedBefore))
  if (rule.undatedRequestedBefore) {
    ors.push(eb.and([eb(ref('expires_at'), 'is', null), eb(ref('requested_at'), '<', rule.undatedRequestedBefore)]))
  }
  if (rule.inactiveRequestedBefore) {
    ors.push(eb.and([eb(ref('active'), '=', false), eb(ref('requested_at'), '<', rule.inactiveRequestedBefore)]))
  }
  if (rule.inactiveUndatedRequestedBefore) {
    ors.push(
      eb.and([
        eb(ref('active'), '=', false),
        eb(ref('expires_at'), 'is', null),
        eb(ref('requested_at'), '<', rule.inactiveUndatedRequestedBefore),
      ]),
    )
  }
  if (rule.unhandledRequestedBefore) {
    const rejected = (c: string) => eb.and([eb(ref(c), 'is not', null), eb(ref(c), '<>', ''), eb(ref(c), '<>', '{}')])
    ors.push(
      eb.and([
        eb(ref('requested_at'), '<', rule.unhandledRequestedBefore),
        eb.or([eb(ref('state'), '<>', CONSENT_USED), rejected('login_error'), rejected('consent_error')]),
      ]),
    )
  }
  return ors.length === 0 ? undefined : eb.or(ors)
}

export class SqlJanitorStore implements JanitorStore {
  private readonly db: Kysely<AnyTables>
  private readonly exists: (table: string) => Promise<boolean>

  constructor(
    handle: Db,
    private readonly nid: string,
  ) {
    this.db = handle.kysely as unknown as Kysely<AnyTables>
    this.exists = existingTables(handle)
  }

  async hasTarget(target: JanitorTarget): Promise<boolean> {
    return this.exists(TABLES[target].table)
  }

  async deleteBatch(
    target: JanitorTarget,
    rule: PurgeRule,
    batchSize: number,
    after: string | undefined,
  ): Promise<{ deleted: number; last: string | undefined }> {
    const { table, key } = TABLES[target]
    if (!Object.values(rule).some((v) => v !== undefined)) return { deleted: 0, last: undefined }
    // The select walks the primary key in order and leaves nid to the delete: with a nid filter
    // here, SQLite prefers a (nid, ...) index and sorts the whole table for every batch. A row of
    // another network is merely passed over.
    let select = this.db
      .selectFrom(table)
      .select(sql.ref<string>(key).as('k'))
      .where((eb) => ruleExpression(eb as unknown as Eb, rule) as Expression<SqlBool>)
    if (after !== undefined) select = select.where(key, '>', after)
    const rows = await select.orderBy(key).limit(batchSize).execute()
    const keys = rows.map((r) => String(r.k))
    if (keys.length === 0) return { deleted: 0, last: undefined }
    const res = await this.db
      .deleteFrom(table)
      .where('nid', '=', this.nid)
      .where(key, 'in', keys)
      .where((eb) => ruleExpression(eb as unknown as Eb, rule) as Expression<SqlBool>)
      .executeTakeFirst()
    return { deleted: Number(res.numDeletedRows), last: keys.length < batchSize ? undefined : keys[keys.length - 1] }
  }
}

/** The network the janitor works on: the first one, as the server picks it. */
export async function firstNetwork(handle: Db): Promise<string | undefined> {
  const row = await handle.kysely.selectFrom('networks').select('id').orderBy('created_at').executeTakeFirst()
  return row?.id
}
