// Metrics (always on, scraped at the admin listener's /admin/metrics/prometheus) and tracing
// (off unless configured), built once per registry. Tracing costs nothing when off: its module,
// and with it OpenTelemetry, is imported only when src/observability/tracing-config.ts says so.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/types.js'
import type { Logger } from '../logging.js'
import type { Db } from '../persistence/db.js'
import { instrumentMetrics } from './http-hooks.js'
import { Metrics, type MetricsGatherer, type PoolStats } from './metrics.js'
import { combineGrantObservers, type GrantObserver } from '../oauth2/observer.js'
import { decideTracing } from './tracing-config.js'
import type { Tracing } from './tracing.js'

export interface Observability {
  metrics: Metrics
  /** Undefined when tracing is off. */
  tracing: Tracing | undefined
  /** What the token endpoint reports grants to (metrics, and spans when tracing is on). */
  grantObserver: GrantObserver | undefined
  /** Installs the request hooks on a listener's app; call before any route is registered. */
  instrument(app: FastifyInstance, listener: 'public' | 'admin'): void
  /** Flushes and stops tracing; metrics need nothing. */
  shutdown(): Promise<void>
}

export interface TracingOptions {
  config: Readonly<Config>
  logger: Logger
  /** Where OTEL_* variables are read from (default process.env). */
  env?: NodeJS.ProcessEnv
}

export interface ObservabilityOptions {
  config: Readonly<Config>
  db: Db
  logger: Logger
  /** From startConfiguredTracing, started before the database opened (its instrumentDb went to openDb). */
  tracing: Tracing | undefined
  /** In a cluster worker: scrapes answer with every worker's metrics (src/cluster/). */
  metricsGatherer?: MetricsGatherer
}

interface PgPoolLike {
  totalCount: number
  idleCount: number
  waitingCount: number
}

interface MysqlPoolLike {
  _allConnections: { length: number }
  _freeConnections: { length: number }
  _connectionQueue: { length: number }
}

/**
 * The pool figures of a database whose Db exposes its driver pool as `pool` (pg's Pool or
 * mysql2's Pool); undefined otherwise (SQLite has one connection and no pool).
 */
export function poolStatsOf(db: Db): (() => PoolStats | undefined) | undefined {
  const pool = (db as Db & { pool?: unknown }).pool
  if (typeof pool !== 'object' || pool === null) return undefined
  if ('totalCount' in pool) {
    const pg = pool as PgPoolLike
    return () => ({ total: pg.totalCount, idle: pg.idleCount, waiting: pg.waitingCount })
  }
  if ('_allConnections' in pool) {
    // mysql2 keeps these as (undocumented) queues on the pool object.
    const my = pool as MysqlPoolLike
    return () => ({ total: my._allConnections.length, idle: my._freeConnections.length, waiting: my._connectionQueue.length })
  }
  return undefined
}

/**
 * Starts tracing when the configuration (or OTEL_*) asks for it; undefined otherwise. Runs before
 * the database opens: openDb takes the returned instrumentDb, so every query is traced.
 */
export async function startConfiguredTracing(opts: TracingOptions): Promise<Tracing | undefined> {
  // Hydra's `tracing` section (src/config/schema.ts), when the configuration carries it.
  const decision = decideTracing(opts.config.tracing, opts.env ?? process.env)
  if (decision.notice) opts.logger.info(decision.notice)
  if (!decision.settings) return undefined
  const { settings } = decision
  const { startTracing } = await import('./tracing.js')
  const tracing = startTracing(settings, (message) => opts.logger.warn(message))
  opts.logger.info(
    {
      service_name: settings.serviceName,
      exporter: settings.export.kind,
      ...(settings.export.url ? { traces_url: settings.export.url } : {}),
      sampling_ratio: settings.samplingRatio,
    },
    `tracing with OpenTelemetry (${settings.export.kind === 'zipkin' ? 'Zipkin' : 'OTLP over HTTP'})`,
  )
  return tracing
}

/** Builds metrics, joined with the tracing started by startConfiguredTracing (if any). */
export function createObservability(opts: ObservabilityOptions): Observability {
  const poolStats = poolStatsOf(opts.db)
  const metrics = new Metrics({
    dialect: opts.db.dialect,
    ...(poolStats ? { poolStats } : {}),
    ...(opts.metricsGatherer ? { gatherer: opts.metricsGatherer } : {}),
  })
  const { tracing } = opts
  let stopped: Promise<void> | undefined
  return {
    metrics,
    tracing,
    // The span is outermost, so the metrics' bookkeeping happens inside the traced grant.
    grantObserver: combineGrantObservers([tracing, metrics]),
    instrument(app, listener) {
      // Tracing first: its onRequest starts the span that the metrics' onResponse runs inside.
      tracing?.instrument(app, listener)
      instrumentMetrics(app, listener, metrics)
    },
    shutdown() {
      stopped ??= tracing ? tracing.shutdown() : Promise.resolve()
      return stopped
    },
  }
}
