import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { pooledRandomBytes, randomId, randomSecret, timeOrderedId } from '../../src/crypto/random.js'

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) }
})

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'

afterEach(() => {
  vi.mocked(randomBytes).mockClear()
})

describe('randomId', () => {
  it('returns distinct UUID v4 values', () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomId()))
    expect(ids.size).toBe(100)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('timeOrderedId', () => {
  it('returns distinct UUID v7 values that carry the time and sort by it', () => {
    const time = Date.UTC(2026, 11, 8, 1, 2, 3, 456)
    const ids = Array.from({ length: 200 }, (_, i) => timeOrderedId(time + i))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(time)
    expect([...ids].sort()).toEqual(ids)
  })

  it('keeps 74 random bits for ids of the same millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => timeOrderedId(0))
    expect(new Set(ids).size).toBe(ids.length)
    // Every random hex digit varies (the version digit and the variant's top bits do not).
    const hex = ids.map((id) => id.replace(/-/g, ''))
    for (const at of [13, 14, 15, 17, 18, 19, 20, 31]) expect(new Set(hex.map((h) => h[at])).size, `digit ${at}`).toBeGreaterThan(8)
    expect(new Set(hex.map((h) => h[16])).size).toBe(4)
  })
})

describe('randomSecret', () => {
  it('is 26 characters long by default', () => {
    expect(randomSecret()).toHaveLength(26)
  })

  it('honours the requested length', () => {
    for (const n of [1, 6, 32, 100, 1000]) expect(randomSecret(n)).toHaveLength(n)
  })

  it('uses only the URL-safe alphabet', () => {
    expect(randomSecret(5000)).toMatch(/^[A-Za-z0-9\-_.~]+$/)
  })

  it('rejects lengths that are not positive integers', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => randomSecret(n)).toThrow(RangeError)
  })

  it('uses crypto.randomBytes and returns distinct values', () => {
    const a = randomSecret()
    const b = randomSecret()
    expect(a).not.toBe(b)
    expect(randomBytes).toHaveBeenCalled()
  })

  it('discards bytes at or above 198 (the largest multiple of 66) so no character is favoured', () => {
    // 255 and 198 would map to '5' and 'A' with a plain modulo; they must be skipped.
    vi.mocked(randomBytes).mockImplementationOnce((() => Buffer.from([255, 198, 197, 0, 65, 131])) as never)
    expect(randomSecret(3)).toBe('~A~')
  })

  it('draws more bytes when too many were rejected', () => {
    const rejected = () => Buffer.alloc(30, 250)
    vi.mocked(randomBytes).mockImplementationOnce(rejected as never).mockImplementationOnce(rejected as never)
    expect(randomSecret(10)).toHaveLength(10)
    expect(vi.mocked(randomBytes).mock.calls.length).toBeGreaterThanOrEqual(3)
  })

  it('produces every character of the alphabet at a similar rate', () => {
    const counts = new Map<string, number>()
    for (const ch of randomSecret(66 * 1000)) counts.set(ch, (counts.get(ch) ?? 0) + 1)
    expect(counts.size).toBe(ALPHABET.length)
    // Expected 1000 each; bounds are far outside normal variation (sd ≈ 31).
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(800)
      expect(n).toBeLessThan(1200)
    }
  })
})

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes of the asked size, never the same bytes twice', () => {
    const seen = new Set<string>()
    // More than one pool's worth, so a refill happens.
    for (let i = 0; i < 2000; i++) {
      const b = pooledRandomBytes(32)
      expect(b.length).toBe(32)
      const hex = b.toString('hex')
      expect(seen.has(hex)).toBe(false)
      seen.add(hex)
    }
  })

  it('keeps bytes handed out unchanged after the pool is replaced', () => {
    const first = pooledRandomBytes(16)
    const copy = Buffer.from(first)
    for (let i = 0; i < 1000; i++) pooledRandomBytes(64)
    expect(first.equals(copy)).toBe(true)
  })

  it('refuses sizes outside 1..256', () => {
    for (const n of [0, -1, 257, 1.5]) expect(() => pooledRandomBytes(n)).toThrow(RangeError)
  })
})
