import { describe, expect, it } from 'vitest'
import { CachedClientStore } from '../../src/client/cached-store.js'
import type { SecretHasher } from '../../src/crypto/hasher.js'
import { SecretVerifier } from '../../src/oauth2/secret-cache.js'
import { sampleClient } from '../support/fixtures.js'

// A hasher that counts its checks; 'right' is the only secret that matches.
function countingHasher(): SecretHasher & { checks: number } {
  return {
    checks: 0,
    async hash(secret) {
      return `h:${secret}`
    },
    async verify(secret, encoded) {
      this.checks++
      return encoded === `h:${secret}`
    },
  }
}

describe('SecretVerifier', () => {
  it('remembers a verified secret and forgets it with its client', async () => {
    const hasher = countingHasher()
    const verifier = new SecretVerifier(hasher)
    const a = sampleClient({ client_id: 'a', secret_hash: 'h:right' })
    const b = sampleClient({ client_id: 'b', secret_hash: 'h:right' })
    expect(await verifier.verify(a, 'right')).toBe(true)
    expect(await verifier.verify(b, 'right')).toBe(true)
    expect(await verifier.verify(a, 'right')).toBe(true)
    expect(hasher.checks).toBe(2)
    verifier.forget(a.nid, 'a')
    expect(verifier.size).toBe(1)
    expect(await verifier.verify(a, 'right')).toBe(true)
    expect(hasher.checks).toBe(3)
    expect(await verifier.verify(b, 'right')).toBe(true)
    expect(hasher.checks).toBe(3)
  })

  it('keeps its per-client index bounded with the entries', async () => {
    const verifier = new SecretVerifier(countingHasher(), 2)
    for (const id of ['a', 'b', 'c']) expect(await verifier.verify(sampleClient({ client_id: id, secret_hash: 'h:s' }), 's')).toBe(true)
    expect(verifier.size).toBe(2)
    verifier.forget(sampleClient().nid, 'a')
    verifier.forget(sampleClient().nid, 'b')
    expect(verifier.size).toBe(1)
  })

  it('is told by the client store when a client is deleted', async () => {
    const rows = new Map([['a', sampleClient({ client_id: 'a' })]])
    const store = new CachedClientStore({
      get: async (id) => rows.get(id),
      create: async (c) => c,
      update: async (c) => c,
      delete: async (id) => rows.delete(id),
      list: async () => ({ items: [], hasMore: false, total: 0 }),
    })
    const deleted: string[] = []
    store.onDelete((id) => deleted.push(id))
    expect(await store.delete('a')).toBe(true)
    expect(deleted).toEqual(['a'])
  })
})
