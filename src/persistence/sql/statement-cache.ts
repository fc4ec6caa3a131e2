// Hot queries have a fixed shape: only their values change. Building and compiling them with
// Kysely on every request allocates an operation tree and walks it; here the SQL Kysely compiled
// for a shape is kept and reused with the new values, bound in the same order.
import { CompiledQuery, type Compilable } from 'kysely'

export class StatementCache {
  // null: the builder did not bind exactly the values given, so this shape is always rebuilt.
  private readonly sqlByShape = new Map<string, string | null>()

  /**
   * The compiled query for `params` in a query of the given `shape`. `params` must list the
   * values in the order the builder binds them; the first compilation of a shape checks that it
   * does, and a shape that does not match is simply never cached.
   */
  compile(shape: string, params: readonly unknown[], build: () => Compilable): CompiledQuery {
    const known = this.sqlByShape.get(shape)
    if (known) return CompiledQuery.raw(known, [...params])
    const compiled = build().compile()
    if (known === undefined) this.sqlByShape.set(shape, sameValues(compiled.parameters, params) ? compiled.sql : null)
    return compiled
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
