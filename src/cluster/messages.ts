// What the primary and its workers say to each other over the cluster's IPC channel. Every
// message carries a `type` under the `orthrus:` prefix so nothing else on the channel (Node's own
// cluster messages, a library's) is mistaken for one.
import type { MetricObjectWithValues, MetricValue } from 'prom-client'

/** One process's metrics as prom-client's getMetricsAsJSON() returns them. */
export type MetricsReport = MetricObjectWithValues<MetricValue<string>>[]

export type ClusterMessage =
  /** worker -> primary: both listeners accept connections. */
  | { type: 'orthrus:ready' }
  /** worker -> primary: a scrape arrived; gather every worker's metrics for it. */
  | { type: 'orthrus:metrics-gather'; id: number }
  /** primary -> worker: send this process's metrics. */
  | { type: 'orthrus:metrics-collect'; id: number }
  /** worker -> primary: the answer to a collect. */
  | { type: 'orthrus:metrics-report'; id: number; metrics: MetricsReport }
  /** primary -> worker: the reports of every worker that answered, for the gather `id`. */
  | { type: 'orthrus:metrics-gathered'; id: number; reports: MetricsReport[] }

const TYPES = new Set<string>(['orthrus:ready', 'orthrus:metrics-gather', 'orthrus:metrics-collect', 'orthrus:metrics-report', 'orthrus:metrics-gathered'])

export function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && TYPES.has(String((m as { type?: unknown }).type))
}
