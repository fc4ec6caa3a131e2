// Group commit off the event loop for a SQLite database file. better-sqlite3 is synchronous, and
// a durable commit (synchronous=FULL) waits for fsync: done on the main thread, that wait stalls
// every request in flight. Here a worker thread owns a second connection to the same file and
// commits the queued single-statement writes in one transaction per batch while the main thread
// goes on serving; each caller's promise settles once its write is on disk (or failed).
//
// One commit is under way at a time: writes that arrive meanwhile wait for it and then travel to
// the worker together as the next commit, in one message. So the busier the server, the larger
// each commit (fewer fsyncs per write), and the worker wakes once per commit, not per request.
//
// WAL mode lets the main connection read while the worker writes. The main connection opens its
// own transactions with BEGIN IMMEDIATE (see db.ts) so it waits for the worker's write lock
// instead of failing with SQLITE_BUSY_SNAPSHOT when it upgrades a read to a write.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { CompiledQuery } from 'kysely'

/**
 * What the worker runs: plain CommonJS, so it needs no build step and works from sources too.
 *
 * A message is one commit: the SQL texts this worker has not prepared yet (`sql`: [number, text]
 * pairs), every write as its statement's number, its parameter count and its parameters in one
 * flat array of primitives (cheap to copy between threads), and the statement numbers the main
 * thread stopped using (`forget`, dropped after the commit). The answer has one entry per write,
 * in order: the number of changed rows, or the error.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.filename)
for (const pragma of workerData.pragmas) db.pragma(pragma)
const statements = new Map()
const begin = db.prepare('begin immediate')
const commit = db.prepare('commit')
const rollback = db.prepare('rollback')
parentPort.on('message', (batch) => {
  if (batch === 'close') {
    db.close()
    parentPort.close()
    return
  }
  for (const [n, text] of batch.sql) statements.set(n, db.prepare(text))
  const outcomes = run(batch.writes, batch.count)
  for (const n of batch.forget) statements.delete(n)
  parentPort.postMessage(outcomes)
})
function each(writes, count, write) {
  const out = new Array(count)
  for (let i = 0, at = 0; i < count; i++) {
    const n = writes[at + 1]
    out[i] = write(statements.get(writes[at]), writes.slice(at + 2, at + 2 + n))
    at += 2 + n
  }
  return out
}
const together = (statement, params) => statement.run(...params).changes
const alone = (statement, params) => {
  try {
    return statement.run(...params).changes
  } catch (e) {
    return { message: String(e && e.message), code: e && e.code }
  }
}
function run(writes, count) {
  if (count === 1) return each(writes, count, alone)
  try {
    begin.run()
    const out = each(writes, count, together)
    commit.run()
    return out
  } catch {
    if (db.inTransaction) rollback.run()
    // One failing write (a duplicate, say) must not fail its neighbours: each runs alone.
    return each(writes, count, alone)
  }
}
`

type Outcome = number | { message: string; code?: string }

interface Waiter {
  resolve(changes: number): void
  reject(reason: unknown): void
}

/** Distinct write statements a worker keeps prepared; past this the numbering starts afresh. */
const MAX_STATEMENTS = 200

/**
 * The most writes one commit carries: a burst is committed in slices, so no caller waits for an
 * unbounded transaction and the writer's memory stays small.
 */
export const MAX_WRITE_BATCH = 256

/**
 * How every connection to a SQLite file is set up. WAL lets readers run beside the writer; the
 * busy timeout absorbs brief writer contention; FULL makes a commit return only once it is on
 * disk (better-sqlite3 would default to NORMAL in WAL mode). mmap_size lets reads map the database
 * file instead of copying each page through a read call into SQLite's small page cache, which
 * the other connection's commits invalidate (benchmark: CPU per introspection roughly halved on
 * a file holding some ten thousand tokens).
 */
export const SQLITE_PRAGMAS: readonly string[] = ['journal_mode = WAL', 'busy_timeout = 5000', 'synchronous = FULL', 'foreign_keys = ON', 'mmap_size = 268435456']

/** better-sqlite3 binds neither booleans nor Dates. */
const bindable = (p: unknown): unknown => (typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Date ? p.toISOString() : p)

export function sqliteParams(params: ReadonlyArray<unknown>): unknown[] {
  return params.map(bindable)
}

/** The error a failed write rejects with: the driver's message and code (e.g. SQLITE_CONSTRAINT_PRIMARYKEY). */
export class SqliteWriteError extends Error {
  override name = 'SqliteWriteError'
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

export class SqliteWriter {
  private worker: Worker | undefined
  /** Statement numbers the current worker has prepared, by SQL text; never reused. */
  private prepared = new Map<string, number>()
  private nextStatement = 0
  /** Queued writes, oldest first: their SQL, parameters and callers. */
  private sqls: string[] = []
  private params: Array<readonly unknown[]> = []
  private waiting: Waiter[] = []
  /** The callers of the commit under way, in order; undefined while none is. */
  private committing: Waiter[] | undefined
  private scheduled = false
  private closing: Promise<void> | undefined
  private idle: (() => void) | undefined
  /** The most writes one commit has carried so far (never above MAX_WRITE_BATCH). */
  largestBatch = 0
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3')

  constructor(private readonly filename: string) {}

  /** Runs one write statement; resolves with the number of changed rows once it is committed. */
  run(query: CompiledQuery): Promise<number> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'))
    return new Promise<number>((resolve, reject) => {
      this.sqls.push(query.sql)
      this.params.push(query.parameters)
      this.waiting.push({ resolve, reject })
      // Writes queued within one turn of the event loop travel together. While a commit is
      // under way, what arrives meanwhile goes with the next one, sent as it ends.
      if (!this.scheduled && this.committing === undefined) {
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          if (this.committing === undefined) this.send()
        })
      }
    })
  }

  /** The writer thread, started on first use and again after it stopped (its writes failed). */
  private thread(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { filename: this.filename, driver: this.driver, pragmas: SQLITE_PRAGMAS },
      // It only holds one commit's writes at a time.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    })
    worker.on('message', (outcomes: Outcome[]) => this.settle(outcomes))
    worker.on('error', (e) => this.stopped(worker, e))
    worker.on('exit', () => this.stopped(worker, new Error('the SQLite writer thread stopped')))
    this.worker = worker
    this.prepared = new Map()
    return worker
  }

  /**
   * Starts the next commit with the oldest queued writes (at most MAX_WRITE_BATCH: a longer
   * queue is committed in slices, so no caller waits for an unbounded transaction and the
   * writer's memory stays small); with nothing queued the writer is idle.
   */
  private send(): void {
    const count = Math.min(this.waiting.length, MAX_WRITE_BATCH)
    if (count === 0) {
      this.committing = undefined
      this.idle?.()
      return
    }
    const thread = this.thread()
    const sqls = this.sqls.splice(0, count)
    const params = this.params.splice(0, count)
    this.committing = this.waiting.splice(0, count)
    const sql: Array<[number, string]> = []
    const forget: number[] = []
    const writes: unknown[] = []
    for (let i = 0; i < count; i++) {
      const text = sqls[i] as string
      let statement = this.prepared.get(text)
      if (statement === undefined) {
        if (this.prepared.size >= MAX_STATEMENTS) {
          // Writes of this commit may still name the old numbers: the worker drops them after it.
          forget.push(...this.prepared.values())
          this.prepared.clear()
        }
        statement = this.nextStatement++
        this.prepared.set(text, statement)
        sql.push([statement, text])
      }
      const values = params[i] as readonly unknown[]
      writes.push(statement, values.length)
      for (const v of values) writes.push(bindable(v))
    }
    this.largestBatch = Math.max(this.largestBatch, count)
    thread.postMessage({ sql, writes, count, forget })
  }

  private settle(outcomes: Outcome[]): void {
    const callers = this.committing ?? []
    // The next commit starts before these callers run on, so the writer is not left waiting.
    this.send()
    for (let i = 0; i < callers.length; i++) {
      const o = outcomes[i]
      const caller = callers[i] as Waiter
      if (typeof o === 'number') caller.resolve(o)
      else caller.reject(new SqliteWriteError(o?.message ?? 'the SQLite writer gave no outcome', o?.code))
    }
  }

  /**
   * Writes sent to a thread that stopped have an unknown fate: their callers get an error. The
   * writes still queued go to a new thread.
   */
  private stopped(worker: Worker, e: Error): void {
    if (this.worker !== worker) return
    this.worker = undefined
    const lost = this.committing ?? []
    this.committing = undefined
    for (const caller of lost) caller.reject(e)
    if (this.closing) {
      // Nothing more is accepted; what is still queued cannot be committed by this writer.
      for (const caller of this.waiting.splice(0)) caller.reject(e)
      this.sqls = []
      this.params = []
      this.idle?.()
    } else {
      this.send()
    }
  }

  /** Commits what is queued, then closes the thread's connection. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const finish = (): void => {
        this.idle = undefined
        const worker = this.worker
        if (!worker) return resolve()
        this.worker = undefined
        worker.once('exit', () => resolve())
        worker.postMessage('close')
      }
      if (this.committing === undefined && this.waiting.length === 0) return finish()
      this.idle = finish
      if (this.committing === undefined && !this.scheduled) this.send()
    })
    return this.closing
  }
}
