// The worker side of `serve --workers N` (the primary is primary.ts): who this worker is, and
// telling the primary when it serves.
import cluster from 'node:cluster'
import type { ClusterMessage } from './messages.js'

/** This process's worker id when it is a cluster worker; undefined otherwise. */
export function clusterWorkerId(): number | undefined {
  return cluster.isWorker ? cluster.worker?.id : undefined
}

/** Tells the primary that both listeners accept connections. */
export function announceReady(): void {
  const ready: ClusterMessage = { type: 'orthrus:ready' }
  process.send?.(ready)
}
