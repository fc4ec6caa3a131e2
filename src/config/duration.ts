// Go-style durations as Hydra accepts them: "1h", "30m", "1h5m1s", "1.5h", "250ms".

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g

/** Parses a duration into whole milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim()
  if (s === '0') return 0
  if (!WHOLE.test(s)) return undefined
  let total = 0
  for (const m of s.matchAll(PART)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number)
  }
  if (!Number.isFinite(total)) return undefined
  return Math.round(total)
}

/** Formats milliseconds the way Go's time.Duration prints them ("1h0m0s", "1m30s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const sign = ms < 0 ? '-' : ''
  let rest = Math.abs(ms)
  if (rest < 1000) return `${sign}${rest}ms`
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = rest / 1000
  const sText = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`
  if (h > 0) return `${sign}${h}h${m}m${sText}`
  if (m > 0) return `${sign}${m}m${sText}`
  return `${sign}${sText}`
}
