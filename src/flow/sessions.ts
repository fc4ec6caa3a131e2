// Hydra's admin session endpoints (/admin/oauth2/auth/sessions/*): list the consents a subject
// has given, revoke them with every token issued under them, and revoke remembered logins.
import type { ClientStore } from '../client/store.js'
import type { Client } from '../client/model.js'
import { invalidRequest } from '../oauth2/errors.js'
import type { FlowCodec } from './codec.js'
import type { EndIdentityProviderSession } from './identity-provider.js'
import { stillRemembered } from './consent.js'
import type { LoginSession } from './model.js'
import { presentConsentSession } from './present.js'
import type { AutocommitStores, UnitOfWork } from '../unit-of-work.js'
import type { ConsentCursor, ConsentSelector } from './session-store.js'

/**
 * Notifies the clients of a login session revoked by `sid` through OpenID Connect Back-Channel
 * Logout 1.0 (Hydra does so for `sid`, never for a whole subject); flow/services.ts wires it to
 * the logout flow's notifier.
 */
export type BackChannelLogoutHook = (revoked: LoginSession) => Promise<void>

export interface SessionAdminDeps {
  store: AutocommitStores['sessions']
  units: UnitOfWork
  clients: Pick<ClientStore, 'get'>
  codec: FlowCodec
  now: () => Date
  backChannelLogout?: BackChannelLogoutHook
  /** urls.identity_provider: ends the identity provider's session of a session revoked by sid. */
  endIdentityProviderSession?: EndIdentityProviderSession | undefined
}

export interface ConsentSessionListQuery {
  subject: string | undefined
  loginSessionId: string | undefined
  pageSize: number
  pageToken: string | undefined
}

export interface ConsentSessionPage {
  sessions: Array<Record<string, unknown>>
  /** Every granted consent of the subject, before filtering out expired ones (as Hydra counts). */
  total: number
  /** Page token of the next page; undefined on the last. */
  next: string | undefined
}

/** Query parameters as sent; Hydra treats an empty value as absent. */
export interface ConsentRevokeQuery {
  subject?: string | undefined
  client?: string | undefined
  consentRequestId?: string | undefined
  all?: string | undefined
}

export interface LoginRevokeQuery {
  subject?: string | undefined
  sid?: string | undefined
}

const given = (v: string | undefined): v is string => v !== undefined && v !== ''

// Page tokens are opaque to clients; inside they carry the keyset position.
function encodeCursor(c: ConsentCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, at: c.requestedAt.getTime(), id: c.id }), 'utf8').toString('base64url')
}

function decodeCursor(token: string): ConsentCursor {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; at?: unknown; id?: unknown }
    if (p.v === 1 && typeof p.at === 'number' && Number.isSafeInteger(p.at) && typeof p.id === 'string') {
      return { requestedAt: new Date(p.at), id: p.id }
    }
  } catch {
    // fall through
  }
  throw invalidRequest('The page_token is invalid or has expired.')
}

/** Hydra's accepted combinations (consent/handler.go revokeOAuth2ConsentSessions), with a reason for each refusal. */
export function consentSelector(q: ConsentRevokeQuery): ConsentSelector {
  const all = q.all ?? ''
  if (!['', 'true', 'false'].includes(all)) throw invalidRequest("Query parameter 'all' must be 'true' or 'false'.")
  const { subject, client, consentRequestId } = q
  if (given(consentRequestId)) {
    if (given(subject) || given(client)) {
      throw invalidRequest("Query parameter 'consent_request_id' cannot be combined with 'subject' or 'client'.")
    }
    return { kind: 'request', consentRequestId }
  }
  if (!given(subject)) throw invalidRequest("Query parameter 'subject' (or 'consent_request_id') is not defined but should have been.")
  if (given(client)) {
    if (all === 'true') throw invalidRequest("Query parameters 'client' and 'all=true' cannot be combined: choose one client or all of them.")
    return { kind: 'client', subject, clientId: client }
  }
  if (all !== 'true') throw invalidRequest("Either query parameter 'client' or 'all=true' must be set to choose whose consent sessions to revoke.")
  return { kind: 'subject', subject }
}

export class SessionAdmin {
  constructor(private readonly d: SessionAdminDeps) {}

  async listConsentSessions(q: ConsentSessionListQuery): Promise<ConsentSessionPage> {
    if (!given(q.subject)) throw invalidRequest("Query parameter 'subject' is not defined but should have been.")
    const loginSessionId = given(q.loginSessionId) ? q.loginSessionId : undefined
    const after = given(q.pageToken) ? decodeCursor(q.pageToken) : undefined
    // One row more than a page tells whether there is a next one.
    const rows = await this.d.store.listGrantedConsents({
      subject: q.subject,
      limit: q.pageSize + 1,
      ...(loginSessionId !== undefined ? { loginSessionId } : {}),
      ...(after ? { after } : {}),
    })
    const page = rows.slice(0, q.pageSize)
    const last = page.at(-1)
    const next = rows.length > q.pageSize && last ? encodeCursor({ requestedAt: last.requestedAt, id: last.id }) : undefined
    const now = this.d.now()
    const clients = new Map<string, Client | undefined>()
    const sessions: Array<Record<string, unknown>> = []
    for (const flow of page) {
      // Hydra leaves out consents whose remember_for has run out; a page may come out short.
      if (!stillRemembered(flow, now)) continue
      if (!clients.has(flow.clientId)) clients.set(flow.clientId, await this.d.clients.get(flow.clientId))
      const client = clients.get(flow.clientId)
      // A deleted client takes its flows with it; one deleted mid-request is simply left out.
      if (client) sessions.push(presentConsentSession(flow, client, this.d.codec))
    }
    const total = await this.d.store.countGrantedConsents(q.subject, loginSessionId)
    return { sessions, total, next }
  }

  /** An unknown subject, client or consent is nothing to do: 204, as in Hydra. */
  async revokeConsentSessions(q: ConsentRevokeQuery): Promise<void> {
    const selector = consentSelector(q)
    await this.d.units.transaction((tx) => tx.sessions.revokeConsents(selector))
  }

  /** `sid` wins over `subject` when both are sent, as in Hydra. */
  async revokeLoginSessions(q: LoginRevokeQuery): Promise<void> {
    if (given(q.sid)) {
      const sid = q.sid
      const revoked = await this.d.units.transaction((tx) => tx.sessions.revokeLoginSession(sid))
      if (revoked) this.d.endIdentityProviderSession?.(revoked)
      if (revoked && this.d.backChannelLogout) await this.d.backChannelLogout(revoked)
      return
    }
    if (!given(q.subject)) throw invalidRequest("Either 'subject' or 'sid' query parameters need to be defined.")
    await this.d.store.revokeSubjectLoginSessions(q.subject)
  }
}
