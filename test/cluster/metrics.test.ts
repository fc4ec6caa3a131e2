// Cluster-wide metrics without processes: workers are in-memory channels to one relay, each with
// its own prom-client registry, wired as src/cli/serve.ts and src/cluster/primary.ts wire them.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { clusterMetricsGatherer } from '../../src/cluster/metrics-gatherer.js'
import { MetricsRelay, type RelayWorker } from '../../src/cluster/metrics-relay.js'
import { isClusterMessage, type ClusterMessage } from '../../src/cluster/messages.js'
import { Metrics } from '../../src/observability/metrics.js'

interface FakeWorker extends RelayWorker {
  metrics: Metrics
  connected: boolean
  /** Messages the worker sends are dropped (a hung or dying worker). */
  mute: boolean
}

function cluster(size: number, timeoutMs = 5000) {
  const workers: FakeWorker[] = []
  const relay = new MetricsRelay(() => workers, timeoutMs)
  for (let id = 1; id <= size; id++) {
    const inbox = new EventEmitter()
    const worker: FakeWorker = {
      id,
      connected: true,
      mute: false,
      isConnected: () => worker.connected,
      // primary -> worker, delivered asynchronously like IPC
      send: (m: ClusterMessage) => setImmediate(() => inbox.emit('message', m)),
      metrics: undefined as unknown as Metrics,
    }
    const channel = {
      on: (event: 'message', listener: (m: unknown) => void) => inbox.on(event, listener),
      send: (m: ClusterMessage) => {
        if (!worker.mute) setImmediate(() => isClusterMessage(m) && relay.onMessage(worker, m))
      },
    }
    worker.metrics = new Metrics({ dialect: 'sqlite', processMetrics: false, gatherer: clusterMetricsGatherer(channel, 2000) })
    workers.push(worker)
  }
  return { workers, relay }
}

const issued = (text: string, grant: string): number => Number(new RegExp(`^orthrus_oauth2_tokens_issued_total\\{grant_type="${grant}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)

describe('cluster-wide metrics', () => {
  it('answers a scrape on any worker with the sum over every worker', async () => {
    const { workers } = cluster(3)
    const [a, b, c] = workers as [FakeWorker, FakeWorker, FakeWorker]
    await a.metrics.grant('client_credentials', async () => 'a')
    for (let i = 0; i < 2; i++) await b.metrics.grant('client_credentials', async () => 'b')
    await c.metrics.grant('refresh_token', async () => 'c')
    a.metrics.routeRecorder('public', '/oauth2/token')('POST', 200, 3)
    c.metrics.routeRecorder('public', '/oauth2/token')('POST', 200, 40)

    for (const w of workers) {
      const text = await w.metrics.scrape()
      expect(issued(text, 'client_credentials')).toBe(3)
      expect(issued(text, 'refresh_token')).toBe(1)
      expect(text).toMatch(/^orthrus_http_requests_total\{listener="public",method="POST",route="\/oauth2\/token",status_code="200"\} 2$/m)
      // Histograms add up bucket by bucket: 3 ms falls in le=0.005, 40 ms only from le=0.05 on.
      expect(text).toMatch(/^orthrus_http_request_duration_seconds_bucket\{le="0.005",listener="public",method="POST",route="\/oauth2\/token",status_code="200"\} 1$/m)
      expect(text).toMatch(/^orthrus_http_request_duration_seconds_bucket\{le="0.05",listener="public",method="POST",route="\/oauth2\/token",status_code="200"\} 2$/m)
    }
  })

  it('answers with the workers that did answer when one is gone or hangs', async () => {
    const { workers, relay } = cluster(3, 200)
    const [a, b, c] = workers as [FakeWorker, FakeWorker, FakeWorker]
    for (const w of workers) await w.metrics.grant('client_credentials', async () => w.id)
    // b's IPC channel is closed: it is not asked at all.
    b.connected = false
    expect(issued(await a.metrics.scrape(), 'client_credentials')).toBe(2)
    // c hangs: the relay answers after its timeout without it.
    c.mute = true
    expect(issued(await a.metrics.scrape(), 'client_credentials')).toBe(1)
    // c exits while a collection waits for it: the relay stops waiting at once.
    const pending = a.metrics.scrape()
    setTimeout(() => relay.onExit(c), 20)
    expect(issued(await pending, 'client_credentials')).toBe(1)
  })

  it('fails the scrape when the primary never answers', async () => {
    const inbox = new EventEmitter()
    const metrics = new Metrics({
      dialect: 'sqlite',
      processMetrics: false,
      gatherer: clusterMetricsGatherer({ on: (e, l) => inbox.on(e, l), send: () => undefined }, 50),
    })
    await expect(metrics.scrape()).rejects.toThrow(/did not return/)
  })
})
