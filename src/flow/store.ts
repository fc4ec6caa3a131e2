// What the login and consent flow needs from storage. The SQL implementation lives in
// persistence/sql/flow-store.ts. Multi-step writes run in a unit of work (src/unit-of-work.ts).
import type { Flow, FlowStateValue, LoginSession } from './model.js'

export type FlowChanges = Partial<Omit<Flow, 'id' | 'clientId' | 'requestedAt' | 'requestUrl' | 'request'>>

export interface FlowStore {
  createFlow(flow: Flow): Promise<void>
  getFlow(id: string): Promise<Flow | undefined>
  getFlowByConsentChallenge(consentChallengeId: string): Promise<Flow | undefined>
  /**
   * Applies `changes` only while the flow is in one of `from` (a conditional UPDATE). False when
   * it was not; on MySQL also when nothing changed, so callers re-read before concluding.
   */
  transition(id: string, from: readonly FlowStateValue[], changes: FlowChanges): Promise<boolean>
  /** The newest remembered, granted and used consent of `subject` for the client (Hydra's rule). */
  findRememberedConsent(subject: string, clientId: string): Promise<Flow | undefined>

  /** A remembered session that has not expired, or undefined. */
  getRememberedSession(id: string, now: Date): Promise<LoginSession | undefined>
  /** Inserts a session; false when one with that id exists already. */
  createSession(session: LoginSession): Promise<boolean>
  extendSession(id: string, expiresAt: Date): Promise<void>
  /** Deletes a login session; returns it (for its identity provider session), undefined when there was none. */
  deleteSession(id: string): Promise<LoginSession | undefined>
}
