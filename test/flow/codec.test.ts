// Challenges and verifiers cannot be forged, altered, or used for another purpose.
import { describe, expect, it } from 'vitest'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { FlowCodec, newFlowId, type FlowPurpose } from '../../src/flow/codec.js'
import { cookieSuffix, murmur3 } from '../../src/flow/cookies.js'

const codec = new FlowCodec(new HmacKeys(['a-test-system-secret-of-32-chars!']))
const PURPOSES: FlowPurpose[] = ['login_challenge', 'login_verifier', 'consent_challenge', 'consent_verifier']

describe('FlowCodec', () => {
  it('round-trips an id for its purpose only', () => {
    const id = newFlowId()
    for (const purpose of PURPOSES) {
      const value = codec.encode(purpose, id)
      expect(value).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/)
      expect(codec.decode(purpose, value)).toBe(id)
      for (const other of PURPOSES.filter((p) => p !== purpose)) expect(codec.decode(other, value)).toBeUndefined()
    }
  })

  it('notices any altered character', () => {
    const value = codec.encode('login_verifier', newFlowId())
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '.') continue
      const swapped = value[i] === 'a' ? 'b' : 'a'
      const altered = `${value.slice(0, i)}${swapped}${value.slice(i + 1)}`
      if (altered !== value) expect(codec.decode('login_verifier', altered), altered).toBeUndefined()
    }
    expect(codec.decode('login_verifier', `${value}A`)).toBeUndefined()
    expect(codec.decode('login_verifier', value.toUpperCase())).toBeUndefined()
    expect(codec.decode('login_verifier', undefined)).toBeUndefined()
    expect(codec.decode('login_verifier', '')).toBeUndefined()
  })

  it('only opens values made with a configured secret, and keeps old ones valid after rotation', () => {
    const id = newFlowId()
    const old = new FlowCodec(new HmacKeys(['the-old-secret-of-thirty-two-ch'])).encode('consent_verifier', id)
    expect(codec.decode('consent_verifier', old)).toBeUndefined()
    const rotated = new FlowCodec(new HmacKeys(['a-new-secret-of-thirty-two-chars', 'the-old-secret-of-thirty-two-ch']))
    expect(rotated.decode('consent_verifier', old)).toBe(id)
  })

  it('makes fresh random ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newFlowId))
    expect(ids.size).toBe(100)
  })
})

describe('per-client cookie names', () => {
  it('use MurmurHash3 (x86, 32-bit, seed 0) as Hydra does', () => {
    expect(murmur3(Buffer.from(''))).toBe(0)
    expect(murmur3(Buffer.from('hello'))).toBe(0x248bfa47)
    expect(murmur3(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723)
    expect(cookieSuffix('abc')).toBe(String(0xb3dd93fa))
  })
})
