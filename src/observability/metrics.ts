// Prometheus metrics, one prom-client Registry per server registry (never the library's global
// one, so several servers in one process keep apart). Request metrics are recorded by hooks
// attached per route when the route is declared (src/observability/http-hooks.ts): the route
// pattern and the label children are known up front and the hot path does two Map lookups, one
// counter increment and one histogram observation.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { GrantObserver } from '../oauth2/observer.js'

/** Connection pool figures of the database, when the driver has a pool. */
export interface PoolStats {
  /** Open connections, busy and idle. */
  total: number
  idle: number
  /** Callers waiting for a connection. */
  waiting: number
}

/**
 * Where a scrape's figures come from when several processes serve together (src/cluster/):
 * given this process's registry, returns what a scrape answers (the cluster's totals).
 */
export interface MetricsGatherer {
  share(local: Registry): () => Promise<string>
}

export interface MetricsOptions {
  /** The database engine, a label of the pool gauges. */
  dialect: string
  /** Read at scrape time; undefined: no pool figures available. */
  poolStats?: () => PoolStats | undefined
  /** Node.js process metrics (CPU, memory, event loop, GC); on unless false. */
  processMetrics?: boolean
  /** Absent: a scrape answers with this process's metrics alone. */
  gatherer?: MetricsGatherer
}

type RequestLabels = 'listener' | 'method' | 'route' | 'status_code'

interface RequestChildren {
  count: Counter.Internal
  duration: Histogram.Internal<RequestLabels>
}

/** Label value of requests that matched no route: never the raw path (ids, codes, scanners). */
export const UNMATCHED_ROUTE = '(unmatched)'

export class Metrics implements GrantObserver {
  readonly registry = new Registry()
  private readonly requests: Counter<RequestLabels>
  private readonly durations: Histogram<RequestLabels>
  private readonly tokens: Counter<'grant_type'>
  private readonly tokenChildren = new Map<string, Counter.Internal>()
  private readonly flowsStarted: Counter
  private readonly flowsCompleted: Counter
  private readonly flowsRejected: Counter<'step'>
  private readonly exposition: () => Promise<string>

  constructor(opts: MetricsOptions) {
    const registers = [this.registry]
    this.requests = new Counter({
      name: 'orthrus_http_requests_total',
      help: 'HTTP requests answered, by listener, method, route pattern and status code.',
      labelNames: ['listener', 'method', 'route', 'status_code'],
      registers,
    })
    this.durations = new Histogram({
      name: 'orthrus_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending the response, in seconds.',
      labelNames: ['listener', 'method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    this.tokens = new Counter({
      name: 'orthrus_oauth2_tokens_issued_total',
      help: 'Successful token endpoint responses, by grant type.',
      labelNames: ['grant_type'],
      registers,
    })
    this.flowsStarted = new Counter({
      name: 'orthrus_flows_started_total',
      help: 'Authorization requests sent to the login app (a login challenge was issued).',
      registers,
    })
    this.flowsCompleted = new Counter({
      name: 'orthrus_flows_completed_total',
      help: 'Consent requests accepted by the consent app.',
      registers,
    })
    this.flowsRejected = new Counter({
      name: 'orthrus_flows_rejected_total',
      help: 'Login or consent requests rejected by the login & consent app, by step.',
      labelNames: ['step'],
      registers,
    })
    const poolStats = opts.poolStats
    if (poolStats) {
      const read = (pick: (s: PoolStats) => number) =>
        function collect(this: Gauge<'dialect'>) {
          const stats = poolStats()
          if (stats) this.set({ dialect: opts.dialect }, pick(stats))
        }
      new Gauge({
        name: 'orthrus_db_pool_connections',
        help: 'Open database connections in the pool (busy and idle).',
        labelNames: ['dialect'],
        registers,
        collect: read((s) => s.total),
      })
      new Gauge({
        name: 'orthrus_db_pool_idle_connections',
        help: 'Idle database connections in the pool.',
        labelNames: ['dialect'],
        registers,
        collect: read((s) => s.idle),
      })
      new Gauge({
        name: 'orthrus_db_pool_waiting_requests',
        help: 'Queries waiting for a database connection.',
        labelNames: ['dialect'],
        registers,
        collect: read((s) => s.waiting),
      })
    }
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry })
    this.exposition = opts.gatherer ? opts.gatherer.share(this.registry) : () => this.registry.metrics()
  }

  /**
   * A recorder for one route: called once when the route is declared, it returns what the hot
   * path calls per response. Label children are made on first use and kept.
   */
  routeRecorder(listener: string, route: string): (method: string, status: number, elapsedMs: number) => void {
    const byMethod = new Map<string, Map<number, RequestChildren>>()
    return (method, status, elapsedMs) => {
      let byStatus = byMethod.get(method)
      if (!byStatus) byMethod.set(method, (byStatus = new Map()))
      let children = byStatus.get(status)
      if (!children) {
        const labels = [listener, method, route, String(status)]
        children = { count: this.requests.labels(...labels), duration: this.durations.labels(...labels) }
        byStatus.set(status, children)
      }
      children.count.inc()
      children.duration.observe(elapsedMs / 1000)
    }
  }

  flowStarted(): void {
    this.flowsStarted.inc()
  }

  flowCompleted(): void {
    this.flowsCompleted.inc()
  }

  flowRejected(step: 'login' | 'consent'): void {
    this.flowsRejected.labels(step).inc()
  }

  /** GrantObserver: counts the grant's tokens once it answered successfully. */
  grant<T>(grantType: string, run: () => Promise<T>): Promise<T> {
    return run().then((response) => {
      let child = this.tokenChildren.get(grantType)
      if (!child) this.tokenChildren.set(grantType, (child = this.tokens.labels(grantType)))
      child.inc()
      return response
    })
  }

  /** The Prometheus text exposition of everything registered (of every worker, in a cluster). */
  scrape(): Promise<string> {
    return this.exposition()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
