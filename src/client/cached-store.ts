// Token requests read their client on every call. A short-lived in-memory copy saves that
// read; writes through this process drop the copy at once, and other instances sharing the
// database see a change within `ttlMs` (the bound documented for horizontal scaling).
import type { Client } from './model.js'
import type { ClientListQuery, ClientStore, Page } from './store.js'

interface Entry {
  client: Client
  expires: number
}

export class CachedClientStore implements ClientStore {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly inner: ClientStore,
    private readonly ttlMs = 5000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<Client | undefined> {
    const hit = this.entries.get(id)
    if (hit && hit.expires > this.now()) return hit.client
    const client = await this.inner.get(id)
    // Misses are not remembered: unknown ids must not be able to fill the cache.
    if (client && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.evict()
      this.entries.set(id, { client, expires: this.now() + this.ttlMs })
    } else {
      this.entries.delete(id)
    }
    return client
  }

  async create(c: Client): Promise<Client> {
    this.entries.delete(c.client_id)
    return this.inner.create(c)
  }

  async update(c: Client): Promise<Client | undefined> {
    this.entries.delete(c.client_id)
    try {
      return await this.inner.update(c)
    } finally {
      this.entries.delete(c.client_id)
    }
  }

  async delete(id: string): Promise<boolean> {
    this.entries.delete(id)
    try {
      return await this.inner.delete(id)
    } finally {
      this.entries.delete(id)
    }
  }

  /** Drops the copy of a client written elsewhere (a unit of work of this process). */
  forget(id: string): void {
    this.entries.delete(id)
  }

  list(q: ClientListQuery): Promise<Page<Client>> {
    return this.inner.list(q)
  }

  private evict(): void {
    const now = this.now()
    for (const [id, e] of this.entries) if (e.expires <= now) this.entries.delete(id)
    // Still full of live entries: drop the oldest insertions.
    for (const id of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break
      this.entries.delete(id)
    }
  }
}
