import type { ExpressionBuilder, Kysely } from 'kysely'
import { FlowState, type Flow, type LoginSession } from '../../flow/model.js'
import type { ConsentSelector, GrantedConsentQuery, SessionStore } from '../../flow/session-store.js'
import type { Database } from '../schema.js'
import { fromRow, loginSessionOf } from './flow-store.js'

type FlowBuilder = ExpressionBuilder<Database, 'hydra_oauth2_flow'>
// The refresh table has the access table's columns and more; typed as the access table, as in
// sql/token-store.ts, so one query shape serves both.
type TokenTable = 'hydra_oauth2_access'
const TOKEN_TABLES: readonly TokenTable[] = ['hydra_oauth2_access', 'hydra_oauth2_refresh' as TokenTable]

export class SqlSessionStore implements SessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  // Hydra's granted consent: handled (used or awaiting its verifier), given by the user rather
  // than skipped, and not a rejection.
  private granted(eb: FlowBuilder, subject: string, loginSessionId: string | undefined) {
    const conditions = [
      eb('nid', '=', this.nid),
      eb('subject', '=', subject),
      eb('state', 'in', [FlowState.ConsentUsed, FlowState.ConsentUnused]),
      eb('consent_skip', '=', false),
      eb('consent_error', 'is', null),
    ]
    if (loginSessionId !== undefined) conditions.push(eb('login_session_id', '=', loginSessionId))
    return eb.and(conditions)
  }

  async listGrantedConsents(q: GrantedConsentQuery): Promise<Flow[]> {
    const after = q.after
    let query = this.db
      .selectFrom('hydra_oauth2_flow')
      .selectAll()
      .where((eb) => this.granted(eb, q.subject, q.loginSessionId))
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('requested_at', '<', after.requestedAt),
          eb.and([eb('requested_at', '=', after.requestedAt), eb('login_challenge', '<', after.id)]),
        ]),
      )
    }
    const rows = await query.orderBy('requested_at', 'desc').orderBy('login_challenge', 'desc').limit(q.limit).execute()
    return rows.map(fromRow)
  }

  async countGrantedConsents(subject: string, loginSessionId?: string): Promise<number> {
    const row = await this.db
      .selectFrom('hydra_oauth2_flow')
      .select((eb) => eb.fn.countAll().as('n'))
      .where((eb) => this.granted(eb, subject, loginSessionId))
      .executeTakeFirst()
    return row ? Number(row.n) : 0
  }

  // The flows a selector names. Any flow that reached consent counts, as in Hydra's
  // revokeConsentSession: an unfinished one is abandoned along with the rest.
  private selected(eb: FlowBuilder, s: ConsentSelector) {
    const conditions = [eb('nid', '=', this.nid), eb('consent_challenge_id', 'is not', null)]
    if (s.kind === 'request') conditions.push(eb('consent_challenge_id', '=', s.consentRequestId))
    else conditions.push(eb('subject', '=', s.subject))
    if (s.kind === 'client') conditions.push(eb('client_id', '=', s.clientId))
    return eb.and(conditions)
  }

  // Several statements: called on a store bound to a unit of work, so they commit together.
  async revokeConsents(s: ConsentSelector): Promise<void> {
    // A sub-select rather than a list of ids: no bound-parameter limit however many consents a
    // subject has. MySQL allows it because the statement's own table is never the sub-select's.
    const consentIds = () =>
      this.db
        .selectFrom('hydra_oauth2_flow')
        .select('consent_challenge_id')
        .where((eb) => this.selected(eb, s))
        .$narrowType<{ consent_challenge_id: string }>()
    // Codes first: a concurrent exchange that has not consumed its code yet now cannot.
    await this.db.deleteFrom('hydra_oauth2_code').where('nid', '=', this.nid).where('challenge_id', 'in', consentIds()).execute()
    for (const table of TOKEN_TABLES) {
      // Token rows name their consent in challenge_id; request_id too where the grant reused
      // the consent id as its request id (as Hydra does).
      await this.db
        .deleteFrom(table)
        .where('nid', '=', this.nid)
        .where((eb) => eb.or([eb('challenge_id', 'in', consentIds()), eb('request_id', 'in', consentIds())]))
        .execute()
    }
    await this.db
      .deleteFrom('hydra_oauth2_flow')
      .where((eb) => this.selected(eb, s))
      .execute()
  }

  async revokeSubjectLoginSessions(subject: string): Promise<void> {
    await this.db
      .deleteFrom('hydra_oauth2_authentication_session')
      .where('nid', '=', this.nid)
      .where('subject', '=', subject)
      .execute()
  }

  async revokeLoginSession(sid: string): Promise<LoginSession | undefined> {
    const row = await this.db
        .selectFrom('hydra_oauth2_authentication_session')
        .selectAll()
        .where('nid', '=', this.nid)
        .where('id', '=', sid)
        .executeTakeFirst()
    if (!row) return undefined
    await this.db.deleteFrom('hydra_oauth2_authentication_session').where('nid', '=', this.nid).where('id', '=', sid).execute()
    return loginSessionOf(row)
  }
}
