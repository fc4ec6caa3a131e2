// One request's writes commit together or not at all: a grant asks for stores bound to one
// database transaction. The SQL side is persistence/sql/grant-transaction.ts.
import type { AuthorizeCodeStore } from './code-store.js'
import type { TokenStore } from './store.js'

export interface GrantStores {
  tokens: TokenStore
  codes: AuthorizeCodeStore
}

export interface GrantUnitOfWork {
  /** Reads outside any transaction. */
  codes: AuthorizeCodeStore
  /** Runs `fn` with stores bound to one transaction; it commits when `fn` resolves. */
  transaction<T>(fn: (tx: GrantStores) => Promise<T>): Promise<T>
}
