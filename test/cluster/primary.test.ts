import { describe, expect, it } from 'vitest'
import { restartDelay } from '../../src/cluster/primary.js'
import { workerCount } from '../../src/cli/serve.js'

describe('serve --workers', () => {
  it('replaces a dying worker after a delay that doubles with each unstable exit, up to 30 s', () => {
    expect([1, 2, 3, 4, 5].map(restartDelay)).toEqual([250, 500, 1000, 2000, 4000])
    expect(restartDelay(8)).toBe(30_000)
    expect(restartDelay(50)).toBe(30_000)
  })

  it('counts auto as one worker per CPU the process may use', () => {
    expect(workerCount('auto', 8)).toBe(8)
    expect(workerCount('auto', 0)).toBe(1)
    expect(workerCount(3, 8)).toBe(3)
  })
})
