import { describe, expect, it } from 'vitest'
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, DummyDriver } from 'kysely'
import { StatementCache } from '../../src/persistence/sql/statement-cache.js'

interface Db {
  t: { a: string; b: string }
}
const db = new Kysely<Db>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
})

describe('StatementCache', () => {
  it('reuses the SQL of a shape with the new values in order', () => {
    const cache = new StatementCache()
    let builds = 0
    const get = (a: string, b: string) =>
      cache.compile('get', [a, b], () => {
        builds++
        return db.selectFrom('t').selectAll().where('a', '=', a).where('b', '=', b)
      })
    const first = get('x', 'y')
    const second = get('p', 'q')
    expect(builds).toBe(1)
    expect(second.sql).toBe(first.sql)
    expect(second.parameters).toEqual(['p', 'q'])
  })

  it('never caches a shape whose builder binds other values than those given', () => {
    const cache = new StatementCache()
    let builds = 0
    // The values are listed in the wrong order: the SQL must not be reused with them.
    const get = (a: string, b: string) =>
      cache.compile('swapped', [b, a], () => {
        builds++
        return db.selectFrom('t').selectAll().where('a', '=', a).where('b', '=', b)
      })
    get('x', 'y')
    const again = get('p', 'q')
    expect(builds).toBe(2)
    expect(again.parameters).toEqual(['p', 'q'])
  })
})
