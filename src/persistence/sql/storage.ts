// The unit of work over SQL (the domain side is src/unit-of-work.ts): every store bound to one
// Kysely transaction, the whole unit retried on a serialization failure or deadlock, and the
// autocommit stores for reads and single-statement writes.
//
// SQLite: the transaction runs on the main connection and opens with BEGIN IMMEDIATE (db.ts), so
// it waits for the writer thread's commit rather than failing on a stale snapshot, and its own
// statements see each other. Stores inside a unit never use the group-commit writer: a write
// queued there would commit outside the unit (and wait for a lock the unit holds).
import type { Kysely } from 'kysely'
import type { Client } from '../../client/model.js'
import type { ClientListQuery, ClientStore, Page } from '../../client/store.js'
import type { SessionSealer } from '../../crypto/session-data.js'
import type { AutocommitStores, Storage, TxStores } from '../../unit-of-work.js'
import type { Db } from '../db.js'
import type { Database } from '../schema.js'
import { SqlClientStore } from './client-store.js'
import { SqlAuthorizeCodeStore } from './code-store.js'
import { SqlDeviceStore } from './device-store.js'
import { SqlDpopReplayStore } from './dpop-store.js'
import { isRetryableConflict } from './errors.js'
import { SqlFlowStore } from './flow-store.js'
import { SqlLogoutStore } from './logout-store.js'
import { SqlPushedRequestStore } from './par-store.js'
import { SqlSessionStore } from './session-store.js'
import { SqlTokenStore } from './token-store.js'
import { SqlTrustStore } from './trust-store.js'

/** How often a unit runs at most, and the back-off before each new run. */
export interface RetryPolicy {
  attempts: number
  /** Milliseconds before the second run; doubled for each further one, with full jitter. */
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 5, maxDelayMs: 100 }

export interface SqlStorageOptions {
  /** Client writes of a unit are reported here once it ends (the client cache drops its copies). */
  clientWritten?: (id: string) => void
  /** The autocommit client store (e.g. the cached one); the SQL store on the root connection when absent. */
  clients?: Omit<ClientStore, 'delete'>
  retry?: RetryPolicy
  /** Told about each retry (logging, tests). */
  onRetry?: (attempt: number, error: unknown) => void
}

export class SqlStorage implements Storage {
  readonly autocommit: AutocommitStores
  private readonly retry: RetryPolicy

  constructor(
    private readonly db: Pick<Db, 'kysely' | 'batchedWrite' | 'rowReader'>,
    private readonly nid: string,
    private readonly sessions: SessionSealer,
    private readonly opts: SqlStorageOptions = {},
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY
    const k = db.kysely
    this.autocommit = {
      clients: opts.clients ?? new SqlClientStore(k, nid),
      // Token inserts outside a unit are the hot path: group commit where the database has it.
      tokens: new SqlTokenStore(k, nid, db.batchedWrite, db.rowReader),
      codes: new SqlAuthorizeCodeStore(k, nid, sessions),
      flows: new SqlFlowStore(k, nid),
      sessions: new SqlSessionStore(k, nid),
      device: new SqlDeviceStore(k, nid, sessions),
      logouts: new SqlLogoutStore(k, nid),
      trust: new SqlTrustStore(k, nid),
      pushed: new SqlPushedRequestStore(k, nid),
      dpop: new SqlDpopReplayStore(k, nid),
    }
  }

  /** Every store on `trx`; the token store writes directly, never through the group commit. */
  private bind(trx: Kysely<Database>, clientWrites: Set<string>): TxStores {
    return {
      clients: new NotingClientStore(new SqlClientStore(trx, this.nid), clientWrites),
      tokens: new SqlTokenStore(trx, this.nid),
      codes: new SqlAuthorizeCodeStore(trx, this.nid, this.sessions),
      flows: new SqlFlowStore(trx, this.nid),
      sessions: new SqlSessionStore(trx, this.nid),
      device: new SqlDeviceStore(trx, this.nid, this.sessions),
      logouts: new SqlLogoutStore(trx, this.nid),
      trust: new SqlTrustStore(trx, this.nid),
      pushed: new SqlPushedRequestStore(trx, this.nid),
      dpop: new SqlDpopReplayStore(trx, this.nid),
    }
  }

  async transaction<T>(work: (tx: TxStores) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const clientWrites = new Set<string>()
      try {
        return await this.db.kysely.transaction().execute((trx) => work(this.bind(trx, clientWrites)))
      } catch (e) {
        if (attempt >= this.retry.attempts || !isRetryableConflict(e)) throw e
        this.opts.onRetry?.(attempt, e)
        await sleep(backoff(this.retry, attempt))
      } finally {
        for (const id of clientWrites) this.opts.clientWritten?.(id)
      }
    }
  }
}

/** Full jitter: anywhere between 0 and the doubled delay, so racing units spread out. */
export function backoff(p: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1))
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The unit's client store: remembers which clients it wrote, for the cache. */
class NotingClientStore implements ClientStore {
  constructor(
    private readonly inner: ClientStore,
    private readonly written: Set<string>,
  ) {}

  get(id: string): Promise<Client | undefined> {
    return this.inner.get(id)
  }

  create(c: Client): Promise<Client> {
    this.written.add(c.client_id)
    return this.inner.create(c)
  }

  update(c: Client): Promise<Client | undefined> {
    this.written.add(c.client_id)
    return this.inner.update(c)
  }

  delete(id: string): Promise<boolean> {
    this.written.add(id)
    return this.inner.delete(id)
  }

  list(q: ClientListQuery): Promise<Page<Client>> {
    return this.inner.list(q)
  }
}
