// A reader for the Prometheus text exposition format (version 0.0.4) the admin listener serves at
// /admin/metrics/prometheus: enough to pick counters and gauges by name and label.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

const unescape = (v: string): string => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = unescape(l[2] as string)
    const value = Number(m[3])
    if (!Number.isNaN(value)) samples.push({ name: m[1] as string, labels, value })
  }
  return samples
}

/** The sum of every sample of `name` whose labels include `match`. */
export function total(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  let sum = 0
  for (const s of samples) {
    if (s.name !== name) continue
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value
  }
  return sum
}

/** Sums of `name` grouped by one label, largest first. */
export function byLabel(samples: readonly Sample[], name: string, label: string): Array<[string, number]> {
  const sums = new Map<string, number>()
  for (const s of samples) if (s.name === name) sums.set(s.labels[label] ?? '', (sums.get(s.labels[label] ?? '') ?? 0) + s.value)
  return [...sums].sort((a, b) => b[1] - a[1])
}
