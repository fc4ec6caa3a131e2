// One measured scenario: warm up, then drive one request with autocannon while the kernel
// counts the CPU time of the target's processes (and of the database server's), the
// instrumented processes count their database round trips, and the target's memory is watched.
import autocannon, { type Result } from 'autocannon'
import { cpuSeconds, PeakRss, serverPids } from './proc.js'
import { targetPids, type Request, type Target } from './targets.js'

export interface Settings {
  connections: number
  /** Seconds. */
  duration: number
  /** Seconds of untimed load before each measurement; 0 for none. */
  warmup: number
}

export interface Measurement {
  /** Responses received in the measured window. */
  requests: number
  reqPerSec: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  /** Server CPU time (all threads, all processes of the target) per response, µs. */
  cpuUsPerRequest?: number
  /** The database server's CPU time per response, µs (its processes on this machine). */
  dbCpuUsPerRequest?: number
  /** Statements the target sent to its database server, per response. */
  roundTripsPerRequest?: number
  /** MB (10^6 bytes), all processes of the target together. */
  peakRssMB?: number
  /** CPU profiles written for this scenario (--profile). */
  profiles?: string[]
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

const perRequest = (before: number | undefined, after: number | undefined, requests: number, scale: number): number | undefined =>
  before === undefined || after === undefined || requests === 0 ? undefined : ((after - before) * scale) / requests

/**
 * @param profileFile with a target that has a control: write a CPU profile of the measured
 *   window to this path (`{pid}` is replaced per process)
 */
export async function measure(req: Request, target: Target, settings: Settings, profileFile?: string): Promise<Measurement> {
  const options = { url: req.url, method: 'POST', headers: req.headers, body: req.body, connections: settings.connections }
  if (settings.warmup > 0) await autocannon({ ...options, duration: settings.warmup })
  const pids = targetPids(target)
  const { control } = target
  const profiling = profileFile !== undefined && control !== undefined
  if (profiling) await control.ask(pids, { op: 'profile-start' })
  const countsBefore = target.countsRoundTrips && control ? await control.counts(pids) : undefined
  const database = target.databaseServer ?? []
  const rss = new PeakRss(pids)

  const cpuBefore = cpuSeconds(pids)
  const dbBefore = database.length > 0 ? cpuSeconds(serverPids(database)) : undefined
  rss.start()
  let peakRssMB: number | undefined
  let result: Result
  try {
    result = await autocannon({ ...options, duration: settings.duration })
  } finally {
    peakRssMB = rss.stop()
  }
  // Read again from the tree as it is now: a worker replaced meanwhile left its time in the primary.
  const pidsAfter = targetPids(target)
  const cpuAfter = cpuSeconds(pidsAfter)
  const dbAfter = database.length > 0 ? cpuSeconds(serverPids(database)) : undefined

  const requests = result.requests.total
  const countsAfter = countsBefore !== undefined && control ? await control.counts(pidsAfter) : undefined
  const profiles = profiling ? (await control.ask(pidsAfter, { op: 'profile-stop', file: profileFile })).flatMap((r) => (r.file ? [r.file] : [])) : undefined
  const cpu = perRequest(cpuBefore, cpuAfter, requests, 1e6)
  const dbCpu = perRequest(dbBefore, dbAfter, requests, 1e6)
  // Per request the server started in the same interval, both counted inside the server.
  const served = countsBefore && countsAfter ? countsAfter.requests - countsBefore.requests : 0
  const trips = perRequest(countsBefore?.roundTrips, countsAfter?.roundTrips, served, 1)
  return {
    requests,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    // autocannon's `errors` already counts timeouts.
    errors: result.errors,
    ...(cpu !== undefined ? { cpuUsPerRequest: cpu } : {}),
    ...(dbCpu !== undefined ? { dbCpuUsPerRequest: dbCpu } : {}),
    ...(trips !== undefined ? { roundTripsPerRequest: trips } : {}),
    ...(peakRssMB !== undefined ? { peakRssMB } : {}),
    ...(profiles ? { profiles } : {}),
  }
}
