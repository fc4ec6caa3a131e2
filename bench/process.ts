// Child processes for the benchmark targets, and their memory as the kernel reports it.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Announcement } from './child.js'

export interface Child {
  process: ChildProcess
  pid: number
  /** Everything the child wrote, for the error message when it fails. */
  output(): string
  stop(): Promise<void>
}

/** Environment for a child: nothing from the developer's Orthrus/Hydra settings leaks in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) env[k] = process.env[k]
  return { ...env, NODE_ENV: 'production', ...extra }
}

export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  if (child.pid === undefined) throw new Error(`could not start ${script}`)
  return {
    process: child,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin?.end()
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Waits for the child's one-line JSON announcement (see child.ts). */
export function announcement(child: Child, timeoutMs = 20_000): Promise<Announcement> {
  return new Promise((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => fail(new Error(`no announcement within ${timeoutMs} ms`)), timeoutMs)
    const onData = (d: Buffer): void => {
      buffered += d.toString()
      for (const line of buffered.split('\n')) {
        try {
          const parsed = JSON.parse(line) as Partial<Announcement>
          if (typeof parsed.url === 'string') {
            cleanup()
            resolve(parsed as Announcement)
            return
          }
        } catch {
          // not the announcement
        }
      }
    }
    const onExit = (): void => fail(new Error(`exited before it was ready:\n${child.output()}`))
    function cleanup(): void {
      clearTimeout(timer)
      child.process.stdout?.off('data', onData)
      child.process.off('close', onExit)
    }
    function fail(err: Error): void {
      cleanup()
      reject(err)
    }
    child.process.stdout?.on('data', onData)
    child.process.once('close', onExit)
  })
}

/** Polls `url` until it answers 200, or fails after `timeoutMs` or when the child exits. */
export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`exited before it was ready:\n${child.output()}`)
    try {
      if ((await fetch(url)).status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.output()}`)
}

export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match?.[1] === undefined ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

/**
 * The peak resident memory of a process during one scenario: the kernel's high-water mark
 * (VmHWM, reset through clear_refs where allowed) and frequent VmRSS samples, whichever is higher.
 * Undefined where /proc is not available.
 */
export class PeakRss {
  private peak = 0
  private hwmReset = false
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly pid: number) {}

  start(): void {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5')
      this.hwmReset = true
    } catch {
      // Not permitted or not Linux: VmHWM would include earlier scenarios, so only samples count.
      this.hwmReset = false
    }
    this.peak = statusKiB(this.pid, 'VmRSS') ?? 0
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, statusKiB(this.pid, 'VmRSS') ?? 0)
    }, 50)
  }

  /** MiB, or undefined when nothing could be read. */
  stop(): number | undefined {
    clearInterval(this.timer)
    const hwm = this.hwmReset ? (statusKiB(this.pid, 'VmHWM') ?? 0) : 0
    const peak = Math.max(this.peak, hwm)
    return peak === 0 ? undefined : peak / 1024
  }
}
