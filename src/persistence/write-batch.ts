// Group commit for the embedded database. better-sqlite3 works synchronously on the event loop,
// so every autocommit insert pays its own WAL commit (and, with synchronous=FULL, its own
// fsync). Writes queued within one turn of the event loop are committed together in a single
// transaction instead; each caller still learns its own outcome.
import type { Kysely } from 'kysely'

type Work<DB> = (db: Kysely<DB>) => Promise<unknown>

interface Pending<DB> {
  work: Work<DB>
  resolve(value: unknown): void
  reject(reason: unknown): void
}

export class WriteBatcher<DB> {
  private queue: Array<Pending<DB>> = []

  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxBatch = 256,
  ) {}

  run<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject })
      if (this.queue.length === 1) setImmediate(() => void this.flush())
      else if (this.queue.length >= this.maxBatch) void this.flush()
    })
  }

  private async flush(): Promise<void> {
    const batch = this.queue
    if (batch.length === 0) return
    this.queue = []
    if (batch.length === 1) {
      const [only] = batch as [Pending<DB>]
      await only.work(this.db).then(only.resolve, only.reject)
      return
    }
    let results: unknown[] | undefined
    try {
      results = await this.db.transaction().execute(async (trx) => {
        const out: unknown[] = []
        for (const p of batch) out.push(await p.work(trx))
        return out
      })
    } catch {
      // One failing write (a duplicate, say) must not fail its neighbours: retry each alone.
      for (const p of batch) await p.work(this.db).then(p.resolve, p.reject)
      return
    }
    batch.forEach((p, i) => p.resolve(results[i]))
  }
}
