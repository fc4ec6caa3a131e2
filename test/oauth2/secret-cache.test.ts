import { describe, expect, it } from 'vitest'
import type { SecretHasher } from '../../src/crypto/hasher.js'
import { SecretVerifier } from '../../src/oauth2/secret-cache.js'
import { sampleClient } from '../support/fixtures.js'

// A hasher that counts its checks; 'right' is the only secret that matches.
function countingHasher(): SecretHasher & { checks: number } {
  return {
    algorithm: 'pbkdf2',
    checks: 0,
    async hash(secret) {
      return `h:${secret}`
    },
    async verify(secret, encoded) {
      this.checks++
      return encoded === `h:${secret}`
    },
    async close() {},
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
})
