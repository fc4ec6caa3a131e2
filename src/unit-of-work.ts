// One unit of work for every store. A write that takes more than one statement (consume a code
// and issue its tokens; decide a device code and use up its flow; revoke consents with their
// codes and tokens; ...) runs inside `transaction`, where every store is bound to the same
// database transaction: it commits whole or not at all, and a serialization failure or deadlock
// retries the whole unit. Outside a unit only `AutocommitStores` is reachable: reads, and writes
// of one statement each, which commit on their own. The types keep the two apart: a method that
// is missing from AutocommitStores can only be called on the stores a unit hands out.
//
// The SQL implementation is persistence/sql/storage.ts.
import type { ClientStore } from './client/store.js'
import type { LogoutStore } from './flow/logout-store.js'
import type { SessionStore } from './flow/session-store.js'
import type { FlowStore } from './flow/store.js'
import type { AuthorizeCodeStore } from './oauth2/code-store.js'
import type { DeviceStore } from './oauth2/device-code.js'
import type { DpopReplayStore } from './oauth2/dpop.js'
import type { PushedRequestStore } from './oauth2/par.js'
import type { TokenStore } from './oauth2/store.js'
import type { TrustStore } from './trust/store.js'

/** Every store, bound to one transaction. */
export interface TxStores {
  clients: ClientStore
  /** Access and refresh tokens, and used assertion `jti`s. */
  tokens: TokenStore
  codes: AuthorizeCodeStore
  /** Login and consent flows, and remembered logins. */
  flows: FlowStore
  /** The admin view of consents and login sessions. */
  sessions: SessionStore
  /** RFC 8628 device codes and device challenges. */
  device: DeviceStore
  logouts: LogoutStore
  trust: TrustStore
  /** RFC 9126 pushed authorization requests. */
  pushed: PushedRequestStore
  /** RFC 9449 DPoP proofs already presented. */
  dpop: DpopReplayStore
}

/** Reads, and the writes that are one statement each and may commit on their own. */
export interface AutocommitStores {
  clients: Omit<ClientStore, 'delete'>
  tokens: Pick<TokenStore, 'get' | 'create' | 'useJti'>
  codes: Pick<AuthorizeCodeStore, 'get'>
  flows: Omit<FlowStore, 'deleteSession'>
  sessions: Pick<SessionStore, 'listGrantedConsents' | 'countGrantedConsents' | 'revokeSubjectLoginSessions'>
  device: Pick<
    DeviceStore,
    | 'getByDeviceSignature'
    | 'getByUserSignature'
    | 'getByRequestId'
    | 'getChallenge'
    | 'create'
    | 'recordPoll'
    | 'createChallenge'
    | 'countFailure'
  >
  logouts: Omit<LogoutStore, 'consumeLogoutRequest'>
  trust: TrustStore
  /** A push is one insert; a request_uri is used up by one conditional update. */
  pushed: PushedRequestStore
  /** A proof is claimed once, as a used assertion `jti` is. */
  dpop: DpopReplayStore
}

export interface UnitOfWork {
  /**
   * Runs `work` with every store bound to one transaction; it commits when `work` resolves and
   * rolls back when it throws. On a serialization failure or deadlock the whole unit runs again
   * (a bounded number of times), so `work` must do nothing but read and write through `tx` and
   * compute: no requests to other servers, no effects that a second run would repeat. Units do
   * not nest.
   */
  transaction<T>(work: (tx: TxStores) => Promise<T>): Promise<T>
}

/** The storage layer as the domain code sees it. */
export interface Storage extends UnitOfWork {
  readonly autocommit: AutocommitStores
}
