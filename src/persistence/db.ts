import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely'
import type { Database } from './schema.js'
import { parseDsn, type Dialect, type DsnTarget } from './dsn.js'
import { SQLITE_PRAGMAS, SqliteWriter, sqliteParams } from './sqlite-writer.js'
import { InsertCombiner } from './insert-combiner.js'

export type BatchedWrite = (query: CompiledQuery) => Promise<void>

/**
 * Instruments a database as it opens (tracing: a query plugin and spans around batched writes):
 * given the raw Kysely instance, its dialect and batched write, returns what the Db hands out.
 */
export type DbInstrumentation = (raw: { kysely: Kysely<Database>; dialect: Dialect; batchedWrite: BatchedWrite }) => {
  kysely: Kysely<Database>
  batchedWrite: BatchedWrite
}

/**
 * Hot point reads on SQLite without Kysely's executor: a cached prepared statement on the main
 * connection that hands back the first row as its column values, in select order.
 */
export interface RowReader {
  /**
   * False while a transaction holds the main connection: a read then queues behind it through
   * Kysely, as before, rather than seeing the transaction's uncommitted writes.
   */
  ready(): boolean
  /** The first row `sql` selects with `params`, or undefined if none. */
  first(sql: string, params: readonly unknown[]): unknown[] | undefined
}

export interface OpenDbOptions {
  instrument?: DbInstrumentation
}

export interface Db {
  readonly kysely: Kysely<Database>
  dialect: Dialect
  /** PostgreSQL schema the tables live in (from search_path); undefined elsewhere. */
  schema?: string
  /**
   * Runs a single-statement write that may be committed together with others: group commit off
   * the event loop for a SQLite database file (sqlite-writer.ts), concurrent one-row inserts
   * combined into one statement on PostgreSQL and MySQL (insert-combiner.ts), a plain statement
   * on in-memory SQLite (no fsync to share). Only for writes whose callers need no transaction of their own. Resolves once the
   * write is committed.
   */
  readonly batchedWrite: BatchedWrite
  /** SQLite without instrumentation only: hot point reads past Kysely (see RowReader). */
  rowReader?: RowReader
  /** The driver's connection pool (pg or mysql2), for pool metrics; undefined for SQLite. */
  pool?: unknown
  /** Checks that the database answers (used by /health/ready). */
  ping(): Promise<void>
  close(): Promise<void>
}

export async function openDb(dsn: string, opts: OpenDbOptions = {}): Promise<Db> {
  const target = parseDsn(dsn)
  const { dialect, pool, rowReader } = await dialectFor(target)
  const raw = new Kysely<Database>({ dialect })
  let closed = false
  let schema: string | undefined
  if (target.dialect === 'postgres') {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(raw)
    schema = r.rows[0]?.s
  }
  const writer = batchedWriter(target, raw)
  const { kysely, batchedWrite } = opts.instrument
    ? opts.instrument({ kysely: raw, dialect: target.dialect, batchedWrite: writer.run })
    : { kysely: raw, batchedWrite: writer.run }
  return {
    kysely,
    dialect: target.dialect,
    batchedWrite,
    ...(pool ? { pool } : {}),
    // Traced reads go through Kysely, where the tracing plugin sees them.
    ...(rowReader && !opts.instrument ? { rowReader } : {}),
    ...(schema ? { schema } : {}),
    async ping() {
      await sql`select 1`.execute(kysely)
    },
    async close() {
      if (closed) return
      closed = true
      await writer.close()
      await raw.destroy()
    },
  }
}

function batchedWriter(t: DsnTarget, kysely: Kysely<Database>): { run(q: CompiledQuery): Promise<void>; close(): Promise<void> } {
  if (t.dialect !== 'sqlite') {
    // Concurrent single-row inserts of one shape share one multi-row INSERT (insert-combiner.ts).
    const combiner = new InsertCombiner(kysely, t.dialect === 'postgres' ? 'numbered' : 'question')
    return { run: (q) => combiner.run(q), close: async () => undefined }
  }
  if (t.filename === ':memory:' || t.filename === '') {
    return { run: async (q) => void (await kysely.executeQuery(q)), close: async () => undefined }
  }
  // Started on the first write, so commands that never batch a write start no thread.
  let writer: SqliteWriter | undefined
  return {
    run: (q) => (writer ??= new SqliteWriter(t.filename)).run(q).then(done),
    close: async () => writer?.close(),
  }
}

const done = (): void => undefined

async function dialectFor(t: DsnTarget) {
  switch (t.dialect) {
    case 'sqlite': {
      const { default: BetterSqlite } = await import('better-sqlite3')
      const raw = new BetterSqlite(t.filename)
      for (const pragma of SQLITE_PRAGMAS) raw.pragma(pragma)
      return { dialect: new SqliteDialect({ database: sqliteAdapter(raw) }), rowReader: sqliteRowReader(raw) }
    }
    case 'postgres': {
      const { default: pg } = await import('pg')
      const pool = new pg.Pool({
        connectionString: t.connectionString,
        max: t.maxConnections,
        ...(t.searchPath ? { options: `-c search_path=${t.searchPath}` } : {}),
      })
      // An idle client losing its connection must not crash the process.
      pool.on('error', () => undefined)
      return { dialect: new PostgresDialect({ pool }), pool }
    }
    case 'mysql': {
      const mysql = await import('mysql2')
      const pool = mysql.createPool({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        database: t.database,
        connectionLimit: t.maxConnections,
        timezone: 'Z',
        dateStrings: false,
        supportBigNumbers: true,
        bigNumberStrings: false,
      })
      return { dialect: new MysqlDialect({ pool }), pool }
    }
  }
}

type BetterSqliteDb = import('better-sqlite3').Database
type BetterSqliteStatement = import('better-sqlite3').Statement

// better-sqlite3 binds neither booleans nor Dates; and re-preparing every query costs.
/** `prepare`, keeping the last `max` statements it made by SQL text (the oldest is dropped first). */
function cachedStatements(max: number, prepare: (sql: string) => BetterSqliteStatement): (sql: string) => BetterSqliteStatement {
  const cache = new Map<string, BetterSqliteStatement>()
  return (sql) => {
    let st = cache.get(sql)
    if (!st) {
      st = prepare(sql)
      if (cache.size >= max) cache.delete(cache.keys().next().value as string)
      cache.set(sql, st)
    }
    return st
  }
}

function sqliteAdapter(raw: BetterSqliteDb) {
  const bind = sqliteParams
  // Kysely opens transactions with a deferred BEGIN. Taking the write lock up front makes a
  // transaction wait for the writer thread's commit (busy_timeout) instead of failing with
  // SQLITE_BUSY_SNAPSHOT when its first write follows a read of an older snapshot.
  const prepare = cachedStatements(500, (query) => raw.prepare(query === 'begin' ? 'begin immediate' : query))
  return {
    close: () => raw.close(),
    prepare(query: string) {
      const st = prepare(query)
      return {
        reader: st.reader,
        all: (params: ReadonlyArray<unknown>) => st.all(...bind(params)),
        run: (params: ReadonlyArray<unknown>) => st.run(...bind(params)),
        iterate: (params: ReadonlyArray<unknown>) => st.iterate(...bind(params)) as IterableIterator<unknown>,
      }
    },
  }
}

function sqliteRowReader(raw: BetterSqliteDb): RowReader {
  // Its own statements: raw mode (rows as arrays) is a setting of the statement object.
  const prepare = cachedStatements(100, (sql) => raw.prepare(sql).raw(true))
  return {
    ready: () => !raw.inTransaction,
    first: (sql, params) => prepare(sql).get(...sqliteParams(params)) as unknown[] | undefined,
  }
}

/** Reads an instant column written by any of the three databases. */
export const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v))
export const toBool = (v: boolean | number): boolean => v === true || v === 1
export const toNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v))
