import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { FlowChanges, FlowStore } from '../../flow/store.js'
import { FlowState, type DeniedError, type Flow, type FlowStateValue, type LoginSession } from '../../flow/model.js'
import type { AuthorizeRequest } from '../../oauth2/authorize.js'
import { toBool, toDate, toNumber } from '../db.js'
import type { AuthenticationSessionTable, Database, OAuth2FlowTable } from '../schema.js'
import { insertUnlessTaken } from './errors.js'

type Row = Selectable<OAuth2FlowTable>
type Column = keyof OAuth2FlowTable

const json = (v: unknown): string => JSON.stringify(v ?? null)
const parse = <T>(text: string): T => JSON.parse(text) as T
const instant = (v: Date | string | null): Date | null => (v === null ? null : toDate(v))
const denied = (v: DeniedError | null): string | null => (v === null ? null : JSON.stringify(v))

// How each changeable field of a flow is written: its column and encoding.
const WRITE: { [K in keyof Required<FlowChanges>]: [Column, (v: Required<FlowChanges>[K]) => unknown] } = {
  state: ['state', (v) => v],
  requestedScope: ['requested_scope', json],
  requestedAudience: ['requested_at_audience', json],
  oidcContext: ['oidc_context', json],
  loginSkip: ['login_skip', (v) => v],
  subject: ['subject', (v) => v],
  loginSessionId: ['login_session_id', (v) => v],
  loginCsrf: ['login_csrf', (v) => v],
  loginRemember: ['login_remember', (v) => v],
  loginRememberFor: ['login_remember_for', (v) => v],
  loginExtendSessionLifespan: ['login_extend_session_lifespan', (v) => v],
  acr: ['acr', (v) => v],
  amr: ['amr', json],
  forcedSubjectIdentifier: ['forced_subject_identifier', (v) => v],
  context: ['context', json],
  identityProviderSessionId: ['identity_provider_session_id', (v) => v],
  loginWasUsed: ['login_was_used', (v) => v],
  loginError: ['login_error', denied],
  loginAuthenticatedAt: ['login_authenticated_at', (v) => v],
  consentChallengeId: ['consent_challenge_id', (v) => v],
  consentSkip: ['consent_skip', (v) => v],
  consentCsrf: ['consent_csrf', (v) => v],
  grantedScope: ['granted_scope', json],
  grantedAudience: ['granted_at_audience', json],
  consentRemember: ['consent_remember', (v) => v],
  consentRememberFor: ['consent_remember_for', (v) => v],
  consentHandledAt: ['consent_handled_at', (v) => v],
  consentWasUsed: ['consent_was_used', (v) => v],
  consentError: ['consent_error', denied],
  sessionIdToken: ['session_id_token', json],
  sessionAccessToken: ['session_access_token', json],
}

function columnsOf(changes: FlowChanges): Updateable<OAuth2FlowTable> {
  const set: Record<string, unknown> = {}
  for (const key of Object.keys(changes) as Array<keyof FlowChanges>) {
    const value = changes[key]
    if (value === undefined) continue
    const [column, encode] = WRITE[key] as [Column, (v: unknown) => unknown]
    set[column] = encode(value)
  }
  return set as Updateable<OAuth2FlowTable>
}

/** A flow row as the domain sees it; also used by the session store (sql/session-store.ts). */
export function fromRow(r: Row): Flow {
  return {
    id: r.login_challenge,
    clientId: r.client_id,
    state: toNumber(r.state) as FlowStateValue,
    requestedAt: toDate(r.requested_at),
    requestUrl: r.request_url,
    request: parse<AuthorizeRequest>(r.authorize_request),
    requestedScope: parse<string[]>(r.requested_scope),
    requestedAudience: parse<string[]>(r.requested_at_audience),
    oidcContext: parse(r.oidc_context),
    loginSkip: toBool(r.login_skip),
    subject: r.subject,
    loginSessionId: r.login_session_id,
    loginCsrf: r.login_csrf,
    loginRemember: toBool(r.login_remember),
    loginRememberFor: toNumber(r.login_remember_for),
    loginExtendSessionLifespan: toBool(r.login_extend_session_lifespan),
    acr: r.acr,
    amr: parse<string[]>(r.amr),
    forcedSubjectIdentifier: r.forced_subject_identifier,
    context: parse<unknown>(r.context),
    identityProviderSessionId: r.identity_provider_session_id,
    loginWasUsed: toBool(r.login_was_used),
    loginError: r.login_error === null ? null : parse<DeniedError>(r.login_error),
    loginAuthenticatedAt: instant(r.login_authenticated_at),
    consentChallengeId: r.consent_challenge_id,
    consentSkip: toBool(r.consent_skip),
    consentCsrf: r.consent_csrf,
    grantedScope: parse<string[]>(r.granted_scope),
    grantedAudience: parse<string[]>(r.granted_at_audience),
    consentRemember: toBool(r.consent_remember),
    consentRememberFor: toNumber(r.consent_remember_for),
    consentHandledAt: instant(r.consent_handled_at),
    consentWasUsed: toBool(r.consent_was_used),
    consentError: r.consent_error === null ? null : parse<DeniedError>(r.consent_error),
    sessionIdToken: parse<Record<string, unknown>>(r.session_id_token),
    sessionAccessToken: parse<Record<string, unknown>>(r.session_access_token),
  }
}

export class SqlFlowStore implements FlowStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async createFlow(flow: Flow): Promise<void> {
    const { id: _id, clientId: _client, requestedAt: _at, requestUrl: _url, request: _request, ...rest } = flow
    const row = {
      ...columnsOf(rest),
      login_challenge: flow.id,
      nid: this.nid,
      client_id: flow.clientId,
      requested_at: flow.requestedAt,
      request_url: flow.requestUrl,
      authorize_request: JSON.stringify(flow.request),
    } as Insertable<OAuth2FlowTable>
    await this.db.insertInto('hydra_oauth2_flow').values(row).execute()
  }

  async getFlow(id: string): Promise<Flow | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_flow')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('login_challenge', '=', id)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async getFlowByConsentChallenge(consentChallengeId: string): Promise<Flow | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_flow')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('consent_challenge_id', '=', consentChallengeId)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async transition(id: string, from: readonly FlowStateValue[], changes: FlowChanges): Promise<boolean> {
    const res = await this.db
      .updateTable('hydra_oauth2_flow')
      .set(columnsOf(changes))
      .where('nid', '=', this.nid)
      .where('login_challenge', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async findRememberedConsent(subject: string, clientId: string): Promise<Flow | undefined> {
    // Hydra's FindGrantedAndRememberedConsentRequest: only a consent the user actually gave
    // (not one that was itself skipped), that was remembered, used, and not a rejection.
    const row = await this.db
      .selectFrom('hydra_oauth2_flow')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('subject', '=', subject)
      .where('client_id', '=', clientId)
      .where('state', '=', FlowState.ConsentUsed)
      .where('consent_remember', '=', true)
      .where('consent_skip', '=', false)
      .where('consent_error', 'is', null)
      .orderBy('requested_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async getRememberedSession(id: string, now: Date): Promise<LoginSession | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_authentication_session')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .where('remember', '=', true)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst()
    if (!row || row.authenticated_at === null) return undefined
    return loginSessionOf(row)
  }

  async createSession(s: LoginSession): Promise<boolean> {
    return insertUnlessTaken(() =>
      this.db
        .insertInto('hydra_oauth2_authentication_session')
        .values({
          id: s.id,
          nid: this.nid,
          authenticated_at: s.authenticatedAt,
          subject: s.subject,
          remember: s.remember,
          identity_provider_session_id: s.identityProviderSessionId === '' ? null : s.identityProviderSessionId,
          expires_at: s.expiresAt,
        })
        .execute(),
    )
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('hydra_oauth2_authentication_session')
      .set({ expires_at: expiresAt })
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .execute()
  }

  async deleteSession(id: string): Promise<LoginSession | undefined> {
    const row = await this.db
      .selectFrom('hydra_oauth2_authentication_session')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .executeTakeFirst()
    await this.db.deleteFrom('hydra_oauth2_authentication_session').where('nid', '=', this.nid).where('id', '=', id).execute()
    return row && loginSessionOf(row)
  }
}

/** A hydra_oauth2_authentication_session row as the flow sees it. */
export function loginSessionOf(row: Selectable<AuthenticationSessionTable>): LoginSession {
  return {
    id: row.id,
    subject: row.subject,
    authenticatedAt: toDate(row.authenticated_at ?? new Date(0)),
    remember: toBool(row.remember),
    identityProviderSessionId: row.identity_provider_session_id ?? '',
    expiresAt: instant(row.expires_at),
  }
}
