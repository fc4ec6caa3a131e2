// The registry's clock in tests (RegistryOptions.now). It keeps running with the wall clock, so
// timestamps still move forward between requests, and advance() jumps it ahead: a test of an
// expiry advances past the lifetime instead of sleeping through it.

export interface TestClock {
  /** Hand this to createRegistry (testApps and startSocketServer take it as `clock`). */
  readonly now: () => Date
  /** Moves the clock `ms` milliseconds ahead of where it would be. */
  advance(ms: number): void
}

export function testClock(start: Date = new Date()): TestClock {
  let offset = start.getTime() - Date.now()
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      if (!(ms >= 0)) throw new Error('a test clock only moves forward')
      offset += ms
    },
  }
}
