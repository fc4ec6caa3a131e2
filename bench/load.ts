// One measured scenario: check that the request works, warm up, then drive it with autocannon
// while watching the server's memory.
import autocannon from 'autocannon'
import { PeakRss } from './process.js'
import type { Request } from './targets.js'

export interface Settings {
  connections: number
  /** Seconds. */
  duration: number
  /** Seconds of untimed load before each measurement; 0 for none. */
  warmup: number
}

export interface Measurement {
  reqPerSec: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  peakRssMiB: number | undefined
}

export interface Probe {
  ok: boolean
  status: number
  body: unknown
}

/** One request before the load: a target whose endpoint is missing is reported, not measured. */
export async function probe(req: Request): Promise<Probe> {
  try {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // keep the text
    }
    return { ok: res.status >= 200 && res.status < 300, status: res.status, body }
  } catch (e) {
    return { ok: false, status: 0, body: e instanceof Error ? e.message : String(e) }
  }
}

export async function measure(req: Request, pid: number, settings: Settings): Promise<Measurement> {
  const options = { url: req.url, method: 'POST', headers: req.headers, body: req.body, connections: settings.connections }
  if (settings.warmup > 0) await autocannon({ ...options, duration: settings.warmup })
  const rss = new PeakRss(pid)
  rss.start()
  let peakRssMiB: number | undefined
  let result
  try {
    result = await autocannon({ ...options, duration: settings.duration })
  } finally {
    peakRssMiB = rss.stop()
  }
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    // autocannon's `errors` already counts timeouts.
    errors: result.errors,
    peakRssMiB,
  }
}
