// RFC 8628 building blocks: user codes (alphabet, format, normalisation), device codes (only
// ours verify), and the slow_down arithmetic of §3.5.
import { describe, expect, it } from 'vitest'
import { HmacKeys } from '../../src/crypto/hmac.js'
import {
  DEVICE_CODE_PREFIX,
  DeviceCodes,
  SLOW_DOWN_STEP_SECONDS,
  USER_CODE_ALPHABET,
  formatUserCode,
  newUserCode,
  normalizeUserCode,
  pollVerdict,
} from '../../src/oauth2/device-code.js'
import { ChallengeBudget, parseAcceptUserCode } from '../../src/flow/device.js'

const codes = new DeviceCodes(new HmacKeys(['a-test-system-secret-of-32-chars!']))

describe('user codes', () => {
  it('are 8 letters of an alphabet without vowels or look-alikes, shown as XXXX-XXXX', () => {
    expect(USER_CODE_ALPHABET).toBe('BCDFGHJKLMNPQRSTVWXZ')
    for (const ch of 'AEIOUY0123456789') expect(USER_CODE_ALPHABET).not.toContain(ch)
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const code = newUserCode()
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
      for (const ch of code.replace('-', '')) seen.add(ch)
    }
    // Every letter of the alphabet turns up: the draw covers all of it.
    expect([...seen].sort().join('')).toBe(USER_CODE_ALPHABET)
  })

  it('are entered case-insensitively, with or without the dash and spaces', () => {
    expect(normalizeUserCode('BCDF-GHJK')).toBe('BCDFGHJK')
    expect(normalizeUserCode('bcdfghjk')).toBe('BCDFGHJK')
    expect(normalizeUserCode(' bcdf ghjk ')).toBe('BCDFGHJK')
    expect(normalizeUserCode('bc-df-gh-jk')).toBe('BCDFGHJK')
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK')
  })

  it('refuses anything that cannot be one', () => {
    for (const bad of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GHJ1', 'BCDF_GHJK', 'x'.repeat(100), undefined, 12345678, null]) {
      expect(normalizeUserCode(bad), String(bad)).toBeUndefined()
    }
  })

  it('are stored by a keyed signature that does not reveal them and is the same for every spelling', () => {
    const sig = codes.userSignatureOf('BCDFGHJK')
    expect(sig).not.toContain('BCDFGHJK')
    expect(codes.userSignatureOf(normalizeUserCode('bcdf-ghjk') as string)).toBe(sig)
    expect(new DeviceCodes(new HmacKeys(['another-secret-of-at-least-32-chars'])).userSignatureOf('BCDFGHJK')).not.toBe(sig)
  })
})

describe('device codes', () => {
  it('carry the ory_dc_ prefix and verify only when unaltered and ours', () => {
    const { code, signature } = codes.newDeviceCode()
    expect(code.startsWith(DEVICE_CODE_PREFIX)).toBe(true)
    expect(codes.deviceSignatureOf(code)).toBe(signature)
    const flipped = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`
    expect(codes.deviceSignatureOf(flipped)).toBeUndefined()
    expect(codes.deviceSignatureOf(code.slice(DEVICE_CODE_PREFIX.length))).toBeUndefined()
    expect(codes.deviceSignatureOf(code.replace(DEVICE_CODE_PREFIX, 'ory_ac_'))).toBeUndefined()
    expect(codes.deviceSignatureOf(`${code}.x`)).toBeUndefined()
    const other = new DeviceCodes(new HmacKeys(['another-secret-of-at-least-32-chars']))
    expect(other.deviceSignatureOf(code)).toBeUndefined()
    // Rotation: a code signed with the old first secret still verifies when it is listed second.
    const rotated = new DeviceCodes(new HmacKeys(['another-secret-of-at-least-32-chars', 'a-test-system-secret-of-32-chars!']))
    expect(rotated.deviceSignatureOf(code)).toBe(signature)
  })
})

describe('slow_down (RFC 8628 §3.5)', () => {
  const t0 = new Date('2026-01-01T00:00:00Z')
  const at = (ms: number) => new Date(t0.getTime() + ms)

  it('lets the first poll and polls at the interval through', () => {
    expect(pollVerdict(null, 5, t0)).toEqual({ slowDown: false, interval: 5 })
    expect(pollVerdict(t0, 5, at(5000))).toEqual({ slowDown: false, interval: 5 })
    expect(pollVerdict(t0, 5, at(60_000))).toEqual({ slowDown: false, interval: 5 })
    // Network jitter: a little early is still on time.
    expect(pollVerdict(t0, 5, at(4100))).toEqual({ slowDown: false, interval: 5 })
  })

  it('answers a too early poll with slow_down and 5 more seconds, for this and every later poll', () => {
    expect(SLOW_DOWN_STEP_SECONDS).toBe(5)
    const first = pollVerdict(t0, 5, at(1000))
    expect(first).toEqual({ slowDown: true, interval: 10 })
    // The grown interval applies from now on: 6 s later is still too early.
    const second = pollVerdict(at(1000), first.interval, at(7000))
    expect(second).toEqual({ slowDown: true, interval: 15 })
    expect(pollVerdict(at(7000), second.interval, at(22_000))).toEqual({ slowDown: false, interval: 15 })
  })
})

describe('admin accept body', () => {
  it('takes exactly a user_code string', () => {
    expect(parseAcceptUserCode({ user_code: 'BCDF-GHJK' })).toBe('BCDF-GHJK')
    for (const bad of [undefined, null, [], 'x', {}, { user_code: '' }, { user_code: 5 }, { user_code: 'a', other: 1 }]) {
      expect(() => parseAcceptUserCode(bad), JSON.stringify(bad)).toThrow()
    }
  })
})

describe('device challenge budget per address', () => {
  it('allows `limit` new challenges per window and address, then refuses until the window is over', () => {
    const budget = new ChallengeBudget(3, 1000, 100)
    expect([1, 2, 3].map(() => budget.take('192.0.2.1', 0))).toEqual([true, true, true])
    expect(budget.take('192.0.2.1', 500)).toBe(false)
    // Another address has its own budget.
    expect(budget.take('192.0.2.2', 500)).toBe(true)
    expect(budget.take('192.0.2.1', 1000)).toBe(true)
  })

  it('remembers a bounded number of addresses, forgetting the oldest', () => {
    const budget = new ChallengeBudget(1, 60_000, 2)
    expect(budget.take('a', 0)).toBe(true)
    expect(budget.take('b', 1)).toBe(true)
    expect(budget.take('c', 2)).toBe(true)
    // 'a' was forgotten to make room, so it starts afresh; 'c' is still counted.
    expect(budget.take('a', 3)).toBe(true)
    expect(budget.take('c', 4)).toBe(false)
  })
})
