// tracing.providers.jaeger.sampling.server_url: Jaeger's remote sampling API
// (GET <server_url>?service=<name>), polled as Hydra's jaegerremote sampler does, starting from
// the configured trace_id_ratio. Only probabilistic strategies are followed; anything else keeps
// the current ratio. Imported only by tracing.ts, when tracing is on.
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api'
import { TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base'
import { unrestrictedOutbound } from '../outbound/fetcher.js'

// jaegerremote's default polling interval.
const POLL_INTERVAL_MS = 60_000
const FETCH_TIMEOUT_MS = 5_000
const MAX_BODY_BYTES = 64 * 1024

interface Strategy {
  strategyType?: string | number
  probabilisticSampling?: { samplingRate?: unknown }
  operationSampling?: { defaultSamplingProbability?: unknown }
}

/** The sampling rate a strategy document names, or undefined for anything else. */
export function samplingRateOf(doc: unknown): number | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined
  const s = doc as Strategy
  const rate = s.operationSampling?.defaultSamplingProbability ?? s.probabilisticSampling?.samplingRate
  // Proto JSON names the enum PROBABILISTIC (0); RATE_LIMITING (1) is not a ratio.
  const probabilistic = s.strategyType === undefined || s.strategyType === 'PROBABILISTIC' || s.strategyType === 0 || s.operationSampling !== undefined
  return probabilistic && typeof rate === 'number' && Number.isFinite(rate) ? rate : undefined
}

export class JaegerRemoteSampler implements Sampler {
  private current: Sampler
  private readonly timer: NodeJS.Timeout
  private readonly url: string

  constructor(
    serverUrl: string,
    serviceName: string,
    initialRatio: number,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.current = new TraceIdRatioBasedSampler(initialRatio)
    const url = new URL(serverUrl)
    url.searchParams.set('service', serviceName)
    this.url = url.href
    void this.poll()
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS)
    this.timer.unref()
  }

  /** The most recent poll; resolves once its answer (or failure) is applied. */
  latest: Promise<void> = Promise.resolve()

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return this.current.shouldSample(context, traceId, spanName, spanKind, attributes, links)
  }

  toString(): string {
    return `JaegerRemoteSampler{${this.current.toString()}}`
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private poll(): Promise<void> {
    this.latest = this.fetchRate().then(
      (rate) => {
        if (rate !== undefined) this.current = new TraceIdRatioBasedSampler(rate)
      },
      (e: unknown) => this.onError(`jaeger remote sampling: ${e instanceof Error ? e.message : String(e)}`),
    )
    return this.latest
  }

  private async fetchRate(): Promise<number | undefined> {
    const text = await unrestrictedOutbound.getText(this.url, { timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_BODY_BYTES })
    return samplingRateOf(JSON.parse(text) as unknown)
  }
}
