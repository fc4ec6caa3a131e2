// What the admin session endpoints need from storage (Hydra's /admin/oauth2/auth/sessions/*):
// the granted consents of a subject, and revoking consents and remembered logins. The SQL
// implementation lives in persistence/sql/session-store.ts.
import type { Flow, LoginSession } from './model.js'

/** Keyset position in the consent list, which runs newest first: (requested_at, login challenge). */
export interface ConsentCursor {
  requestedAt: Date
  id: string
}

export interface GrantedConsentQuery {
  subject: string
  /** Only consents given within this login session. */
  loginSessionId?: string
  limit: number
  /** Continue after this position. */
  after?: ConsentCursor
}

/** Which consents to revoke: Hydra's three accepted combinations of query parameters. */
export type ConsentSelector =
  | { kind: 'subject'; subject: string }
  | { kind: 'client'; subject: string; clientId: string }
  | { kind: 'request'; consentRequestId: string }

export interface SessionStore {
  /**
   * Consents the subject actually gave (handled and accepted, not skipped), newest first; at
   * most `limit`. Hydra's FindSubjectsGrantedConsentRequests.
   */
  listGrantedConsents(q: GrantedConsentQuery): Promise<Flow[]>
  countGrantedConsents(subject: string, loginSessionId?: string): Promise<number>
  /**
   * Forgets the selected consents, and deletes every authorization code, access and refresh
   * token issued under them. Several statements: run it in a unit of work, so nothing is left
   * half revoked.
   */
  revokeConsents(selector: ConsentSelector): Promise<void>
  /** Deletes every remembered login of the subject. */
  revokeSubjectLoginSessions(subject: string): Promise<void>
  /** Deletes one remembered login; returns it, or undefined when there was none. */
  revokeLoginSession(sid: string): Promise<LoginSession | undefined>
}
