// The benchmark's output: one table of every target and scenario, then each target of the
// performance work checked against the same run's figures as PASS or FAIL (n/a when a figure
// it needs was not measured). Pure functions of the measurements, so they are tested alone.
import type { Measurement, Settings } from './load.js'

export type Kind = 'token' | 'introspection'
export const KINDS: readonly Kind[] = ['token', 'introspection']
export const SCENARIO: Record<Kind, string> = { token: 'client_credentials', introspection: 'introspection' }

export interface Row {
  /** The target's key (lean, orthrus, orthrus-postgresql, ...). */
  key: string
  target: string
  kind: Kind
  result: Measurement | { missing: string }
  idleRssMB?: number
}

export interface CliTiming {
  label: string
  /** Wall time from spawn to exit, one entry per run (ms). */
  runsMs: number[]
  failure?: string
}

export interface Verdict {
  target: string
  /** What this run measured, e.g. "2.41x (763 vs 317 µs)". */
  value: string
  /** undefined: not measured in this run. */
  pass?: boolean
}

// The targets, as set for the performance work. Never adjusted to what a run achieves.
export const LIMITS = {
  cpuVsLean: 1.5,
  p99Ms: 20,
  peakRssMB: 120,
  postgresCpuVsSqlite: 1.3,
  introspectionRoundTrips: 1,
  cliStartMs: 250,
} as const

const measured = (rows: readonly Row[], key: string, kind: Kind): Measurement | undefined => {
  const r = rows.find((x) => x.key === key && x.kind === kind)?.result
  return r && 'reqPerSec' in r ? r : undefined
}

export const median = (values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const fixed = (n: number, digits = 0): string => n.toFixed(digits)
const notMeasured = (target: string, what: string): Verdict => ({ target, value: `n/a (${what} not measured)` })

function cpuRatio(target: string, own: Measurement | undefined, ref: Measurement | undefined, refName: string, limit: number): Verdict {
  if (own?.cpuUsPerRequest === undefined) return notMeasured(target, 'Orthrus CPU')
  if (ref?.cpuUsPerRequest === undefined || ref.cpuUsPerRequest === 0) return notMeasured(target, `${refName} CPU`)
  const ratio = own.cpuUsPerRequest / ref.cpuUsPerRequest
  return { target, value: `${fixed(ratio, 2)}x (${fixed(own.cpuUsPerRequest)} vs ${fixed(ref.cpuUsPerRequest)} µs)`, pass: ratio <= limit }
}

/** Items 2, 3 and 5 of the performance targets, and the CLI start-up, from this run's figures. */
export function verdicts(rows: readonly Row[], settings: Settings, cli: readonly CliTiming[]): Verdict[] {
  const out: Verdict[] = []
  for (const kind of KINDS) {
    out.push(cpuRatio(`${SCENARIO[kind]}: Orthrus CPU/request ≤ ${LIMITS.cpuVsLean}x the lean stack's`, measured(rows, 'orthrus', kind), measured(rows, 'lean', kind), 'lean stack', LIMITS.cpuVsLean))
  }
  for (const kind of KINDS) {
    const m = measured(rows, 'orthrus', kind)
    const target = `${SCENARIO[kind]}: Orthrus p99 ≤ ${LIMITS.p99Ms} ms at ${settings.connections} connections`
    out.push(m ? { target, value: `${ms(m.p99)} ms`, pass: m.p99 <= LIMITS.p99Ms } : notMeasured(target, 'Orthrus'))
  }
  const peaks = KINDS.map((k) => measured(rows, 'orthrus', k)?.peakRssMB).filter((v): v is number => v !== undefined)
  const idle = rows.find((r) => r.key === 'orthrus')?.idleRssMB
  const rssTarget = `Orthrus peak RSS ≤ ${LIMITS.peakRssMB} MB under the benchmark`
  out.push(
    peaks.length > 0
      ? { target: rssTarget, value: `${fixed(Math.max(...peaks))} MB (idle after start-up: ${idle === undefined ? 'n/a' : `${fixed(idle)} MB`})`, pass: Math.max(...peaks) <= LIMITS.peakRssMB }
      : notMeasured(rssTarget, 'Orthrus'),
  )
  if (rows.some((r) => r.key === 'orthrus-postgresql')) {
    for (const kind of KINDS) {
      out.push(
        cpuRatio(
          `PostgreSQL ${SCENARIO[kind]}: Orthrus CPU/request ≤ ${LIMITS.postgresCpuVsSqlite}x its SQLite figure`,
          measured(rows, 'orthrus-postgresql', kind),
          measured(rows, 'orthrus', kind),
          'SQLite',
          LIMITS.postgresCpuVsSqlite,
        ),
      )
    }
    const trips = (kind: Kind): number | undefined => measured(rows, 'orthrus-postgresql', kind)?.roundTripsPerRequest
    const perIntrospection = trips('introspection')
    const oneTrip = `PostgreSQL: ≤ ${LIMITS.introspectionRoundTrips} round trip per introspection`
    out.push(perIntrospection === undefined ? notMeasured(oneTrip, 'round trips') : { target: oneTrip, value: fixed(perIntrospection, 2), pass: perIntrospection <= LIMITS.introspectionRoundTrips })
    // Combined inserts (multi-row or pipelined) make it less than one statement per token; a
    // BEGIN/COMMIT around a single insert makes it three.
    const perToken = trips('token')
    const combined = 'PostgreSQL: token inserts of concurrent requests combined (< 1 round trip per client_credentials token)'
    out.push(perToken === undefined ? notMeasured(combined, 'round trips') : { target: combined, value: fixed(perToken, 2), pass: perToken < 1 })
  }
  for (const timing of cli) {
    const target = `CLI start-up < ${LIMITS.cliStartMs} ms: orthrus ${timing.label}`
    const m = median(timing.runsMs)
    out.push(
      timing.failure !== undefined || m === undefined
        ? { target, value: `n/a (${timing.failure ?? 'no run'})` }
        : { target, value: `${fixed(m)} ms (median of ${timing.runsMs.length})`, pass: m < LIMITS.cliStartMs },
    )
  }
  return out
}

/** Figures without a target: how the other rows compare, for the reader. */
export function comparisons(rows: readonly Row[]): string[] {
  const out: string[] = []
  const cpu = (key: string, kind: Kind): number | undefined => measured(rows, key, kind)?.cpuUsPerRequest
  for (const kind of KINDS) {
    const own = cpu('orthrus', kind)
    if (own === undefined) continue
    for (const [key, what] of [
      ['oidc-provider', 'oidc-provider'],
      ['ceiling', 'the Fastify ceiling'],
    ] as const) {
      const other = cpu(key, kind)
      if (other) out.push(`${SCENARIO[kind]}: Orthrus spends ${fixed(own / other, 2)}x the CPU per request of ${what}`)
    }
    for (const workers of rows.filter((r) => r.key.startsWith('orthrus-workers') && r.kind === kind)) {
      const theirs = cpu(workers.key, kind)
      if (theirs) out.push(`${SCENARIO[kind]}: ${workers.target} spends ${fixed(theirs / own, 2)}x the CPU per request of the single process (should stay near 1)`)
    }
  }
  return out
}

// autocannon records latency in whole milliseconds; 0 means under one.
const ms = (n: number): string => (n === 0 ? '<1' : Number.isInteger(n) ? String(n) : fixed(n, 1))
const opt = (n: number | undefined, digits = 0): string => (n === undefined ? '-' : fixed(n, digits))

export function table(headers: readonly string[], lines: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)))
  const render = (cells: readonly string[]): string =>
    cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()
  return [render(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n')
}

export function report(rows: readonly Row[], settings: Settings, cli: readonly CliTiming[], header: string): string {
  const notes: string[] = []
  const lines = rows.map((r) => {
    const cells = [r.target, SCENARIO[r.kind]]
    if ('missing' in r.result) {
      notes.push(`${r.target}, ${SCENARIO[r.kind]}: not measured (${r.result.missing})`)
      return [...cells, ...Array<string>(10).fill('-')]
    }
    const m = r.result
    return [
      ...cells,
      fixed(m.reqPerSec),
      ms(m.p50),
      ms(m.p99),
      opt(m.cpuUsPerRequest),
      opt(m.dbCpuUsPerRequest),
      opt(m.roundTripsPerRequest, 2),
      opt(m.peakRssMB),
      opt(r.idleRssMB),
      String(m.non2xx),
      String(m.errors),
    ]
  })
  const out = [
    header,
    '',
    table(['target', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'DB CPU µs/req', 'DB trips/req', 'peak RSS MB', 'idle RSS MB', 'non-2xx', 'errors'], lines),
  ]
  if (notes.length > 0) out.push('', ...notes)
  const compared = comparisons(rows)
  if (compared.length > 0) out.push('', ...compared)
  out.push('', 'Targets (same run):')
  for (const v of verdicts(rows, settings, cli)) out.push(`  ${v.pass === undefined ? ' n/a' : v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.value}`)
  const profiles = rows.flatMap((r) => ('profiles' in r.result ? (r.result.profiles ?? []) : []))
  if (profiles.length > 0) out.push('', 'CPU profiles (open in Chrome DevTools or speedscope):', ...profiles.map((p) => `  ${p}`))
  return `${out.join('\n')}\n`
}
