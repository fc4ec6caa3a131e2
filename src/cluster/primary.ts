// `serve --workers N`: the primary process of a node:cluster. It holds the listening sockets
// (the workers' listen() calls are forwarded to it and it hands each accepted connection to the
// next worker, round robin), starts the workers, replaces one that dies (with back-off), relays
// metrics scrapes, and on SIGTERM/SIGINT lets every worker drain before it exits. It never
// opens the database: everything that serves requests lives in the workers.
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from '../logging.js'
import { isClusterMessage } from './messages.js'
import { MetricsRelay } from './metrics-relay.js'

/** A worker that served this long before dying starts its slot's back-off afresh. */
export const STABLE_MS = 60_000
const FIRST_DELAY_MS = 250
const MAX_DELAY_MS = 30_000

/** Delay before replacing a worker, after `failures` unstable exits in a row of its slot (1, 2, ...). */
export function restartDelay(failures: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1), MAX_DELAY_MS)
}

export interface PrimaryOptions {
  workers: number
  logger: Logger
  /** Extra environment for every worker (e.g. a generated development secret they must share). */
  env?: Record<string, string>
}

interface Slot {
  index: number
  worker?: Worker
  /** When the current worker said it was ready; undefined while it starts. */
  readyAt?: number
  /** Unstable exits in a row. */
  failures: number
  restart?: NodeJS.Timeout
}

/** Runs the cluster until it is stopped; resolves with the exit code for the primary. */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  const { logger } = opts
  const slots: Slot[] = Array.from({ length: opts.workers }, (_, index) => ({ index, failures: 0 }))
  const slotOf = (worker: Worker): Slot | undefined => slots.find((s) => s.worker === worker)
  const serving = (): Worker[] => slots.flatMap((s) => (s.worker && s.readyAt !== undefined ? [s.worker] : []))
  const relay = new MetricsRelay(serving)
  let started = false
  let stopping = false
  let failedCode = 0
  let finish: (code: number) => void = () => undefined
  const finished = new Promise<number>((resolve) => (finish = resolve))
  /** Resolved when the first worker is ready, or with false when it died first. */
  let firstReady: (ok: boolean) => void = () => undefined

  const fork = (slot: Slot): void => {
    slot.restart = undefined
    slot.readyAt = undefined
    const worker = cluster.fork(opts.env ?? {})
    slot.worker = worker
    logger.info({ worker: worker.id, pid: worker.process.pid, slot: slot.index }, 'worker started')
  }

  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    for (const s of slots) clearTimeout(s.restart)
    const live = slots.flatMap((s) => (s.worker ? [s.worker] : []))
    logger.info({ signal, workers: live.length }, 'shutting down: every worker finishes its in-flight requests')
    if (live.length === 0) return finish(failedCode)
    for (const w of live) w.process.kill('SIGTERM')
  }

  cluster.on('message', (worker, message: unknown) => {
    if (!isClusterMessage(message)) return
    if (message.type === 'orthrus:ready') {
      const slot = slotOf(worker)
      if (!slot) return
      slot.readyAt = Date.now()
      logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker ready')
      if (slot.index === 0) firstReady(true)
      if (!started && slots.every((s) => s.readyAt !== undefined)) {
        started = true
        logger.info({ workers: slots.length }, 'all workers ready')
      }
      return
    }
    relay.onMessage(worker, message)
  })

  cluster.on('exit', (worker, code, signal) => {
    relay.onExit(worker)
    const slot = slotOf(worker)
    if (!slot) return
    slot.worker = undefined
    // Not `code`: the logger redacts that key (authorization codes).
    const fields = { worker: worker.id, pid: worker.process.pid, exit_code: code, signal }
    if (stopping) {
      if (code !== 0) failedCode = 1
      logger.info(fields, 'worker stopped')
      if (slots.every((s) => !s.worker)) finish(failedCode)
      return
    }
    if (!started && slot.readyAt === undefined) {
      // Start-up failed (configuration, database, pending migrations): the worker said why.
      logger.error(fields, 'worker exited before it was ready: stopping')
      failedCode = 1
      if (slot.index === 0) firstReady(false)
      stop('start-up failure')
      return
    }
    const stable = slot.readyAt !== undefined && Date.now() - slot.readyAt >= STABLE_MS
    slot.failures = stable ? 1 : slot.failures + 1
    const delay = restartDelay(slot.failures)
    logger.error({ ...fields, restart_in_ms: delay }, 'worker died: starting a replacement')
    slot.restart = setTimeout(() => fork(slot), delay)
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop(signal))

  // The first worker prepares the database alone (in --dev: migrations, the first signing keys,
  // the switch to WAL mode) before the others open it.
  const first = slots[0]
  if (first) {
    const ready = new Promise<boolean>((resolve) => (firstReady = resolve))
    fork(first)
    void ready.then((ok) => {
      if (ok && !stopping) for (const s of slots.slice(1)) fork(s)
    })
  }
  return finished
}
