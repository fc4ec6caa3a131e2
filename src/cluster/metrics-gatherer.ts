// A cluster worker's half of cluster-wide metrics (the primary's half is metrics-relay.ts):
// answers the primary's collect requests with this process's metrics, and serves a scrape with
// the sum over every worker, so a scraper sees the same totals whichever worker it reaches.
// Values add up per metric and label set by each metric's prom-client `aggregator` (sum unless
// the metric says otherwise, e.g. the event-loop lag averages).
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { MetricsGatherer } from '../observability/metrics.js'
import { isClusterMessage, type ClusterMessage, type MetricsReport } from './messages.js'

/** The IPC channel to the primary: `process` in a worker. */
export interface PrimaryChannel {
  on(event: 'message', listener: (message: unknown) => void): unknown
  send(message: ClusterMessage): unknown
}

const processChannel: PrimaryChannel = {
  on: (event, listener) => process.on(event, listener),
  send: (message) => process.send?.(message),
}

export function clusterMetricsGatherer(channel: PrimaryChannel = processChannel, timeoutMs = 10_000): MetricsGatherer {
  return {
    share(local: Registry): () => Promise<string> {
      let next = 1
      const waiting = new Map<number, (reports: MetricsReport[]) => void>()
      channel.on('message', (message) => {
        if (!isClusterMessage(message)) return
        if (message.type === 'orthrus:metrics-collect') {
          const { id } = message
          local.getMetricsAsJSON().then(
            (metrics) => channel.send({ type: 'orthrus:metrics-report', id, metrics }),
            () => channel.send({ type: 'orthrus:metrics-report', id, metrics: [] }),
          )
        } else if (message.type === 'orthrus:metrics-gathered') {
          waiting.get(message.id)?.(message.reports)
        }
      })
      return () =>
        new Promise<string>((resolve, reject) => {
          const id = next++
          const timer = setTimeout(() => {
            waiting.delete(id)
            reject(new Error('the cluster primary did not return the workers’ metrics in time'))
          }, timeoutMs)
          waiting.set(id, (reports) => {
            clearTimeout(timer)
            waiting.delete(id)
            AggregatorRegistry.aggregate(reports).metrics().then(resolve, reject)
          })
          channel.send({ type: 'orthrus:metrics-gather', id })
        })
    },
  }
}
