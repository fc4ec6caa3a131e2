import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../src/config/duration.js'

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['30m', 1_800_000],
    ['1h5m1s', 3_901_000],
    ['720h', 2_592_000_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['10s', 10_000],
    ['0s', 0],
    ['0', 0],
    ['1500us', 2], // sub-millisecond parts round to whole milliseconds
    [' 1h ', 3_600_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '1 hour', '1', 'h', '-1h', '1d', '1h 5m', '1.h', '.5h', '1H', 'abc', '1h-5m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it.each([
    [3_600_000, '1h0m0s'],
    [3_901_000, '1h5m1s'],
    [90_000, '1m30s'],
    [1_500, '1.5s'],
    [250, '250ms'],
    [0, '0s'],
    [-90_000, '-1m30s'],
  ])('%d ms prints as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it.each([0, 1, 250, 999, 1_000, 1_500, 90_000, 3_600_000, 3_901_000, 2_592_000_000])('%d ms survives a round trip', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms)
  })

  it.each(['1h5m1s', '1m30s', '250ms', '1.5s'])('%j survives a round trip', (text) => {
    expect(formatDuration(parseDuration(text) as number)).toBe(text)
  })
})
