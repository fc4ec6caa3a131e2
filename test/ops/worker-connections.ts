// Talking to one particular worker of `serve --workers N`. The primary hands each new
// connection to the next worker, so a keep-alive connection stays with the worker it landed on:
// a `WorkerConnection` is one such socket, opened until it lands on the wanted worker. Which
// worker answered is read from the access log, by the request id each request sends.
import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { expect } from 'vitest'
import type { CookieJar } from '../support/browser.js'
import type { ServerProcess } from '../support/cli.js'
import { within } from './helpers.js'

/** The JSON log lines a server process (the primary and its workers) wrote so far. */
export function logLines(server: ServerProcess): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (const line of server.logs().split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      out.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // a line cut by the end of the buffer so far
    }
  }
  return out
}

/** Waits until a log line satisfies `match` and returns it. */
export async function logLine(server: ServerProcess, match: (line: Record<string, unknown>) => boolean, limitMs = 30_000): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined
  await within(limitMs, async () => (found = logLines(server).find(match)) !== undefined, 50)
  return found as Record<string, unknown>
}

/** The worker whose access-log line carries this request id. */
export async function workerOf(server: ServerProcess, requestId: string): Promise<number> {
  const line = await logLine(server, (l) => l.request_id === requestId && l.msg === 'request completed', 10_000)
  return Number(line.worker)
}

/** The ids and pids of the workers that said they are ready, in order. */
export function readyWorkers(server: ServerProcess): Array<{ worker: number; pid: number }> {
  return logLines(server)
    .filter((l) => l.msg === 'worker ready')
    .map((l) => ({ worker: Number(l.worker), pid: Number(l.pid) }))
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed when it is a JSON object; empty otherwise. */
  json: Record<string, unknown>
  /** The worker that answered, from the access log. */
  worker: number
}

export class WorkerConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })

  constructor(
    private readonly server: ServerProcess,
    /** The listener's base URL. */
    readonly base: string,
  ) {}

  async send(method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const id = randomUUID()
    const { status, headers, text } = await new Promise<{ status: number; headers: Answer['headers']; text: string }>((resolve, reject) => {
      const req = request(new URL(path, this.base), { method, agent: this.agent, headers: { ...opts.headers, 'x-request-id': id } }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(opts.body)
    })
    const json = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}
    return { status, headers, text, json, worker: await workerOf(this.server, id) }
  }

  form(path: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
    const body = new URLSearchParams(params).toString()
    return this.send('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })
  }

  json(method: string, path: string, body: unknown): Promise<Answer> {
    return this.send(method, path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  }

  /** A browser step: GET `url` (its origin replaced by this listener's), cookies from and into the jar, no redirect followed. */
  async browse(jar: CookieJar, url: string): Promise<Answer & { location: string }> {
    const u = new URL(url, this.base)
    const answer = await this.send('GET', `${u.pathname}${u.search}`, jar.header() ? { headers: { cookie: jar.header() } } : {})
    jar.store(answer.headers['set-cookie'])
    const location = answer.headers.location
    return { ...answer, location: typeof location === 'string' ? location : '' }
  }

  close(): void {
    this.agent.destroy()
  }
}

/** A keep-alive connection to `base` that landed on `worker`. */
export async function connectTo(server: ServerProcess, base: string, worker: number): Promise<WorkerConnection> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const connection = new WorkerConnection(server, base)
    const probe = await connection.send('GET', '/health/alive')
    expect(probe.status).toBe(200)
    if (probe.worker === worker) return connection
    connection.close()
  }
  throw new Error(`no connection to ${base} landed on worker ${worker} in 20 attempts`)
}
