// The primary's half of cluster-wide metrics. A scrape reaches one worker (whichever the
// connection was handed to); that worker asks the primary, which collects every ready worker's
// metrics and hands the reports back for the worker to add up (src/cluster/metrics-gatherer.ts).
// The primary never loads prom-client: it only forwards reports.
import type { ClusterMessage, MetricsReport } from './messages.js'

/** What the relay needs of a cluster worker. */
export interface RelayWorker {
  id: number
  send(message: ClusterMessage): unknown
  isConnected(): boolean
}

interface Collection {
  reports: MetricsReport[]
  /** Ids of the workers whose report is still missing. */
  missing: Set<number>
  finish(): void
}

export class MetricsRelay {
  private next = 1
  private readonly collections = new Map<number, Collection>()

  /**
   * @param members the workers that serve now (started and ready)
   * @param timeoutMs how long a collection waits for a worker that does not answer (one that is
   *   dying); the scrape then answers with the reports that did arrive
   */
  constructor(
    private readonly members: () => RelayWorker[],
    private readonly timeoutMs = 5000,
  ) {}

  onMessage(from: RelayWorker, message: ClusterMessage): void {
    if (message.type === 'orthrus:metrics-gather') this.gather(from, message.id)
    else if (message.type === 'orthrus:metrics-report') {
      const collection = this.collections.get(message.id)
      if (!collection?.missing.delete(from.id)) return
      collection.reports.push(message.metrics)
      if (collection.missing.size === 0) collection.finish()
    }
  }

  /** A worker that exited will not answer: stop waiting for it. */
  onExit(worker: Pick<RelayWorker, 'id'>): void {
    for (const collection of [...this.collections.values()]) {
      if (collection.missing.delete(worker.id) && collection.missing.size === 0) collection.finish()
    }
  }

  private gather(requester: RelayWorker, gatherId: number): void {
    const id = this.next++
    const members = this.members().filter((w) => w.isConnected())
    // The requester answers too, even if the primary has not seen its ready message yet.
    if (!members.some((w) => w.id === requester.id)) members.push(requester)
    const reports: MetricsReport[] = []
    const timer = setTimeout(() => finish(), this.timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      if (!this.collections.delete(id)) return
      if (requester.isConnected()) requester.send({ type: 'orthrus:metrics-gathered', id: gatherId, reports })
    }
    this.collections.set(id, { reports, missing: new Set(members.map((w) => w.id)), finish })
    for (const w of members) w.send({ type: 'orthrus:metrics-collect', id })
  }
}
