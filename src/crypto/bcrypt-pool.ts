// bcrypt is pure CPU (bcryptjs: about 370 ms at cost 10 on a typical core) with no asynchronous
// form in Node, so every bcrypt computation runs on a small pool of worker threads: the event
// loop keeps answering other requests while a secret is checked. The pool starts its first
// thread on the first bcrypt call (a server that only sees PBKDF2 never starts one), runs at most
// one computation per thread, and lets a bounded number of callers wait; past that bound a call
// fails at once instead of piling up work nobody will wait for.
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

// The worker's program is given as source (eval) rather than as a file next to this one, so the
// same code runs from the TypeScript sources under test and from the compiled package, without a
// build step or a package file of its own. bcryptjs is loaded from the path this module resolves.
const WORKER_SOURCE = `
'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const bcrypt = require(workerData.bcryptjs)
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ hash: bcrypt.hashSync(job.secret, job.salt) })
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) })
  }
})
`

/** A computation refused because too many are already waiting. */
export class BcryptBusyError extends Error {
  constructor() {
    super('too many bcrypt computations are waiting')
    this.name = 'BcryptBusyError'
  }
}

export interface BcryptPoolOptions {
  /** Threads (each runs one computation at a time). Default: min(2, available parallelism). */
  size?: number
  /** Callers allowed to wait for a free thread. Default: 64 per thread. */
  maxQueued?: number
}

interface Job {
  secret: string
  /** A cost (a fresh salt is drawn) or the "$2b$10$<salt>" settings of an existing hash. */
  salt: number | string
  resolve: (hash: string) => void
  reject: (e: Error) => void
}

interface Slot {
  worker: Worker
  job: Job | undefined
}

export class BcryptPool {
  readonly size: number
  private readonly maxQueued: number
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private bcryptjsPath: string | undefined
  private closed = false
  /** Computations running at this moment, and the most ever running at once (for tests and metrics). */
  running = 0
  peakRunning = 0

  constructor(opts: BcryptPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(2, availableParallelism()))
    this.maxQueued = Math.max(0, opts.maxQueued ?? 64 * this.size)
  }

  /** The bcrypt hash of `secret` made with `salt`: a cost (new random salt) or an existing hash's settings. */
  hash(secret: string, salt: number | string): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the bcrypt pool is closed'))
    return new Promise<string>((resolve, reject) => {
      const job: Job = { secret, salt, resolve, reject }
      const slot = this.idleSlot()
      if (slot) this.run(slot, job)
      else if (this.queue.length < this.maxQueued) this.queue.push(job)
      else reject(new BcryptBusyError())
    })
  }

  /** Stops every thread; waiting and running computations fail. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new Error('the bcrypt pool is closed'))
    const slots = this.slots.splice(0)
    await Promise.all(
      slots.map(async (slot) => {
        slot.job?.reject(new Error('the bcrypt pool is closed'))
        slot.job = undefined
        await slot.worker.terminate()
      }),
    )
  }

  private idleSlot(): Slot | undefined {
    const idle = this.slots.find((s) => s.job === undefined)
    if (idle) return idle
    if (this.slots.length < this.size) return this.spawn()
    return undefined
  }

  private spawn(): Slot {
    this.bcryptjsPath ??= createRequire(import.meta.url).resolve('bcryptjs')
    // No inherited Node flags: one such as --input-type=module would change how the source is read.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { bcryptjs: this.bcryptjsPath } })
    // An idle thread never keeps the process alive (tests and CLI commands exit on their own).
    worker.unref()
    const slot: Slot = { worker, job: undefined }
    worker.on('message', (msg: { hash?: string; error?: string }) => {
      const job = this.finish(slot)
      if (!job) return
      if (typeof msg.hash === 'string') job.resolve(msg.hash)
      else job.reject(new Error(msg.error ?? 'bcrypt failed'))
      this.next(slot)
    })
    const lost = (e: Error): void => {
      const index = this.slots.indexOf(slot)
      if (index >= 0) this.slots.splice(index, 1)
      this.finish(slot)?.reject(e)
      // A waiting computation gets a new thread in place of the lost one.
      const waiting = this.queue.shift()
      if (waiting && !this.closed) {
        const replacement = this.idleSlot()
        if (replacement) this.run(replacement, waiting)
        else this.queue.unshift(waiting)
      }
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`the bcrypt thread exited (code ${code})`)))
    this.slots.push(slot)
    return slot
  }

  private run(slot: Slot, job: Job): void {
    slot.job = job
    this.running++
    this.peakRunning = Math.max(this.peakRunning, this.running)
    // A busy thread holds the process open until its caller has the answer.
    slot.worker.ref()
    slot.worker.postMessage({ secret: job.secret, salt: job.salt })
  }

  private finish(slot: Slot): Job | undefined {
    const job = slot.job
    if (!job) return undefined
    slot.job = undefined
    this.running--
    slot.worker.unref()
    return job
  }

  private next(slot: Slot): void {
    const job = this.queue.shift()
    if (job) this.run(slot, job)
  }
}
