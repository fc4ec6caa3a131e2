import { describe, expect, it } from 'vitest'
import { heapGrowthFlag } from '../../src/cli/heap.js'

describe('heap growth of the server process', () => {
  it('halves V8 old-generation growth by default', () => {
    expect(heapGrowthFlag([], undefined)).toBe('--heap-growing-percent=100')
    expect(heapGrowthFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe('--heap-growing-percent=100')
  })

  it("leaves the operator's own choice alone", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=30'], undefined)).toBeUndefined()
    expect(heapGrowthFlag([], '--max-old-space-size=512 --heap-growing-percent=300')).toBeUndefined()
    expect(heapGrowthFlag([], '--heap_growing_percent=30')).toBeUndefined()
  })
})
