// Group insert for PostgreSQL and MySQL: single-row INSERTs of one shape that arrive while the
// event loop is busy are sent as one multi-row INSERT, the way SQLite's writer commits a batch
// in one transaction. One statement is atomic on both engines, so every row of it is committed
// before any of its callers is answered, and no BEGIN/COMMIT is needed around it. When the
// combined statement fails (say one row breaks a unique key), each row is retried alone, so
// every caller gets its own row's outcome.
import { CompiledQuery, type Kysely } from 'kysely'
import type { Database } from './schema.js'

/** Rows per combined statement: PostgreSQL allows 65535 parameters; keep statements modest. */
const MAX_ROWS = 64

interface Pending {
  query: CompiledQuery
  resolve(): void
  reject(err: unknown): void
}

// `insert into <table> (<columns>) values (<one row of placeholders>)` and nothing after it.
const SINGLE_ROW = /^(insert into [^()]+\([^()]+\) values )\(([^()]+)\)$/i

export class InsertCombiner {
  private queue = new Map<string, Pending[]>()
  private scheduled = false

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly placeholders: 'numbered' | 'question',
  ) {}

  run(query: CompiledQuery): Promise<void> {
    if (!this.combinable(query)) return this.kysely.executeQuery(query).then(() => undefined)
    return new Promise<void>((resolve, reject) => {
      const same = this.queue.get(query.sql)
      if (same) same.push({ query, resolve, reject })
      else this.queue.set(query.sql, [{ query, resolve, reject }])
      if (!this.scheduled) {
        this.scheduled = true
        // Whatever else this turn of the event loop inserts joins the same statement.
        setImmediate(() => this.flush())
      }
    })
  }

  /** A one-row INSERT whose row is its parameters, in order, and nothing else. */
  private combinable(query: CompiledQuery): boolean {
    const row = SINGLE_ROW.exec(query.sql)?.[2]
    if (row === undefined) return false
    const marks = row.split(',').map((m) => m.trim())
    if (marks.length !== query.parameters.length) return false
    return marks.every((m, i) => (this.placeholders === 'numbered' ? m === `$${i + 1}` : m === '?'))
  }

  private flush(): void {
    this.scheduled = false
    const groups = this.queue
    this.queue = new Map()
    for (const [text, pending] of groups) {
      for (let i = 0; i < pending.length; i += MAX_ROWS) void this.send(text, pending.slice(i, i + MAX_ROWS))
    }
  }

  private async send(text: string, rows: Pending[]): Promise<void> {
    if (rows.length === 1) return this.alone(rows[0]!)
    try {
      await this.kysely.executeQuery(this.combine(text, rows))
    } catch {
      // Which row failed is unknown: each one alone tells its own caller.
      await Promise.all(rows.map((r) => this.alone(r)))
      return
    }
    for (const r of rows) r.resolve()
  }

  private async alone(row: Pending): Promise<void> {
    try {
      await this.kysely.executeQuery(row.query)
      row.resolve()
    } catch (err) {
      row.reject(err)
    }
  }

  private combine(text: string, rows: Pending[]): CompiledQuery {
    const [, head] = SINGLE_ROW.exec(text) as RegExpExecArray
    const width = rows[0]!.query.parameters.length
    const tuples: string[] = []
    const parameters: unknown[] = []
    for (const [n, r] of rows.entries()) {
      const marks = Array.from({ length: width }, (_, i) => (this.placeholders === 'numbered' ? `$${n * width + i + 1}` : '?'))
      tuples.push(`(${marks.join(', ')})`)
      parameters.push(...r.query.parameters)
    }
    return CompiledQuery.raw(`${head}${tuples.join(', ')}`, parameters)
  }
}
