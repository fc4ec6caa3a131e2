// Child processes for the benchmark targets.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
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

export interface ChildOptions {
  /** Arguments for node itself, before the script (e.g. --import). */
  nodeArgs?: string[]
  cwd?: string
  /**
   * Where stdout and stderr go. Absent: pipes read by the benchmark (for announcements). A file
   * keeps a chatty server's log lines off the benchmark's own CPU.
   */
  logFile?: string
}

export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv, opts: ChildOptions = {}): Child {
  const fd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a')
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    env,
    cwd: opts.cwd,
    stdio: fd === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', fd, fd],
  })
  if (fd !== undefined) closeSync(fd)
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  if (child.pid === undefined) throw new Error(`could not start ${script}`)
  return {
    process: child,
    pid: child.pid,
    output: () => (opts.logFile === undefined ? output : tail(opts.logFile)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin?.end()
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The last lines of a log file, for an error message. */
function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Waits until the child's output (pipe or log file) contains `text`. */
export async function waitForOutput(child: Child, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!child.output().includes(text)) {
    if (child.process.exitCode !== null) throw new Error(`exited before it was ready:\n${child.output()}`)
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${child.output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Runs a command to completion (a CLI step before a server starts); throws with its output when it fails. */
export function runToEnd(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`))))
  })
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
