// Group commit off the event loop for a SQLite database file. better-sqlite3 is synchronous, and
// a durable commit (synchronous=FULL) waits for fsync: done on the main thread, that wait stalls
// every request in flight. Here a worker thread owns a second connection to the same file and
// commits the queued single-statement writes in one transaction per batch while the main thread
// goes on serving; each caller's promise settles once its write is on disk (or failed).
//
// WAL mode lets the main connection read while the worker writes. The main connection opens its
// own transactions with BEGIN IMMEDIATE (see db.ts) so it waits for the worker's write lock
// instead of failing with SQLITE_BUSY_SNAPSHOT when it upgrades a read to a write.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { CompiledQuery } from 'kysely'

/** What the worker runs: plain CommonJS, so it needs no build step and works from sources too. */
const WORKER_SOURCE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.filename)
for (const pragma of workerData.pragmas) db.pragma(pragma)
const statements = new Map()
const prepare = (sql) => {
  let st = statements.get(sql)
  if (!st) {
    st = db.prepare(sql)
    if (statements.size >= 200) statements.delete(statements.keys().next().value)
    statements.set(sql, st)
  }
  return st
}
const MAX_BATCH = workerData.maxBatch
const failure = (id, e) => ({ id, error: { message: String(e && e.message), code: e && e.code } })
const alone = (w) => {
  try {
    return { id: w.id, changes: prepare(w.sql).run(...w.params).changes }
  } catch (e) {
    return failure(w.id, e)
  }
}
parentPort.on('message', (first) => {
  if (first === 'close') {
    db.close()
    parentPort.close()
    return
  }
  let writes = first
  let closing = false
  // Everything that arrived while the previous commit waited for the disk joins this batch; a
  // commit carries at most MAX_BATCH writes, a longer queue is committed in slices.
  while (writes.length < MAX_BATCH) {
    const m = receiveMessageOnPort(parentPort)
    if (!m) break
    if (m.message === 'close') {
      closing = true
      break
    }
    writes = writes.concat(m.message)
  }
  for (let i = 0; i < writes.length; i += MAX_BATCH) parentPort.postMessage(run(writes.slice(i, i + MAX_BATCH)))
  if (closing) {
    db.close()
    parentPort.close()
  }
})
function run(writes) {
  if (writes.length === 1) return [alone(writes[0])]
  try {
    db.prepare('begin immediate').run()
    const out = writes.map((w) => ({ id: w.id, changes: prepare(w.sql).run(...w.params).changes }))
    db.prepare('commit').run()
    return out
  } catch {
    if (db.inTransaction) db.prepare('rollback').run()
    // One failing write (a duplicate, say) must not fail its neighbours: each runs alone.
    return writes.map(alone)
  }
}
`

interface Write {
  id: number
  sql: string
  params: unknown[]
}

type Outcome = { id: number; changes: number } | { id: number; error: { message: string; code?: string } }

interface Waiter {
  resolve(changes: number): void
  reject(reason: unknown): void
}

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
export function sqliteParams(params: ReadonlyArray<unknown>): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Date ? p.toISOString() : p))
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
  private readonly waiting = new Map<number, Waiter>()
  private queue: Write[] = []
  private nextId = 1
  private closing: Promise<void> | undefined
  /** The most writes one commit has carried so far (never above MAX_WRITE_BATCH). */
  largestBatch = 0
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3')

  constructor(private readonly filename: string) {}

  /** Runs one write statement; resolves with the number of changed rows once it is committed. */
  run(query: CompiledQuery): Promise<number> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'))
    return new Promise<number>((resolve, reject) => {
      const id = this.nextId++
      this.waiting.set(id, { resolve, reject })
      this.queue.push({ id, sql: query.sql, params: sqliteParams(query.parameters) })
      // Writes queued within one turn of the event loop travel (and commit) together.
      if (this.queue.length === 1) setImmediate(() => this.send())
    })
  }

  /** The writer thread, started on first use and again after it stopped (its writes failed). */
  private thread(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { filename: this.filename, driver: this.driver, pragmas: SQLITE_PRAGMAS, maxBatch: MAX_WRITE_BATCH },
      // It only holds a batch of statements at a time.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    })
    worker.on('message', (outcomes: Outcome[]) => this.settle(outcomes))
    worker.on('error', (e) => this.stopped(worker, e))
    worker.on('exit', () => this.stopped(worker, new Error('the SQLite writer thread stopped')))
    this.worker = worker
    return worker
  }

  private send(): void {
    const batch = this.queue
    if (batch.length === 0) return
    this.queue = []
    const thread = this.thread()
    for (let i = 0; i < batch.length; i += MAX_WRITE_BATCH) thread.postMessage(batch.slice(i, i + MAX_WRITE_BATCH))
  }

  private settle(outcomes: Outcome[]): void {
    this.largestBatch = Math.max(this.largestBatch, outcomes.length)
    for (const o of outcomes) {
      const w = this.waiting.get(o.id)
      if (!w) continue
      this.waiting.delete(o.id)
      if ('error' in o) w.reject(new SqliteWriteError(o.error.message, o.error.code))
      else w.resolve(o.changes)
    }
  }

  /** Writes sent to a thread that stopped have an unknown fate: their callers get an error. */
  private stopped(worker: Worker, e: Error): void {
    if (this.worker !== worker) return
    this.worker = undefined
    for (const [id, w] of this.waiting) {
      if (this.queue.some((q) => q.id === id)) continue
      this.waiting.delete(id)
      w.reject(e)
    }
  }

  /** Commits what is queued, then closes the thread's connection. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.queue.length > 0) this.send()
      const worker = this.worker
      if (!worker) return resolve()
      worker.once('exit', () => resolve())
      worker.postMessage('close')
    })
    return this.closing
  }
}
