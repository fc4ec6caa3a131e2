import { describe, expect, it } from 'vitest'
import { CachedClientStore } from '../../src/client/cached-store.js'
import type { Client } from '../../src/client/model.js'
import type { ClientStore } from '../../src/client/store.js'
import { sampleClient } from '../support/fixtures.js'

function countingStore(initial: Client[]): ClientStore & { reads: number; rows: Map<string, Client> } {
  const rows = new Map(initial.map((c) => [c.client_id, c]))
  return {
    rows,
    reads: 0,
    async get(id) {
      this.reads++
      return rows.get(id)
    },
    async create(c) {
      rows.set(c.client_id, c)
      return c
    },
    async update(c) {
      if (!rows.has(c.client_id)) return undefined
      rows.set(c.client_id, c)
      return c
    },
    async delete(id) {
      return rows.delete(id)
    },
    async list() {
      return { items: [...rows.values()], hasMore: false, total: rows.size }
    },
  }
}

describe('CachedClientStore', () => {
  it('reuses a read within the TTL and reads again after it', async () => {
    let now = 1000
    const inner = countingStore([sampleClient({ client_id: 'a' })])
    const store = new CachedClientStore(inner, 5000, 100, () => now)
    await store.get('a')
    await store.get('a')
    expect(inner.reads).toBe(1)
    now += 5001
    await store.get('a')
    expect(inner.reads).toBe(2)
  })

  it('sees its own writes at once', async () => {
    const inner = countingStore([sampleClient({ client_id: 'a', client_name: 'old' })])
    const store = new CachedClientStore(inner, 60_000)
    expect((await store.get('a'))?.client_name).toBe('old')
    await store.update({ ...(await store.get('a'))!, client_name: 'new' })
    expect((await store.get('a'))?.client_name).toBe('new')
    await store.delete('a')
    expect(await store.get('a')).toBeUndefined()
  })

  it('does not remember misses and stays bounded', async () => {
    const inner = countingStore([])
    const store = new CachedClientStore(inner, 60_000, 3)
    await store.get('nope')
    await store.get('nope')
    expect(inner.reads).toBe(2)
    for (let i = 0; i < 10; i++) inner.rows.set(`c${i}`, sampleClient({ client_id: `c${i}` }))
    for (let i = 0; i < 10; i++) await store.get(`c${i}`)
    inner.reads = 0
    await store.get('c0')
    expect(inner.reads).toBe(1) // evicted
  })
})
