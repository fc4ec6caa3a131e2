import type { Kysely } from 'kysely'
import type { SessionSealer } from '../../crypto/session-data.js'
import type { GrantStores, GrantUnitOfWork } from '../../oauth2/unit-of-work.js'
import type { Database } from '../schema.js'
import { SqlAuthorizeCodeStore } from './code-store.js'
import { SqlTokenStore } from './token-store.js'

/** Token and code stores bound to one Kysely transaction per unit of work. */
export class SqlGrantUnitOfWork implements GrantUnitOfWork {
  readonly codes: SqlAuthorizeCodeStore

  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
    private readonly sessions: SessionSealer,
  ) {
    this.codes = new SqlAuthorizeCodeStore(db, nid, sessions)
  }

  transaction<T>(fn: (tx: GrantStores) => Promise<T>): Promise<T> {
    // The transaction-bound token store writes directly (no group commit): the batcher would
    // run the insert outside this transaction.
    return this.db.transaction().execute((trx) =>
      fn({ tokens: new SqlTokenStore(trx, this.nid), codes: new SqlAuthorizeCodeStore(trx, this.nid, this.sessions) }),
    )
  }
}
