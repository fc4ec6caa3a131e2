// Loaded into every Orthrus process the benchmark starts (`node --import`, which cluster workers
// inherit), never into a real deployment. It counts the database round trips the process makes
// (every statement a pg client or mysql2 connection sends, BEGIN and COMMIT included) and the
// HTTP requests it starts serving, and starts
// and stops a CPU profile of the process, when the benchmark asks (control.ts): the benchmark
// writes a command file and sends SIGUSR2; the process answers in a file named by its pid.
import cluster from 'node:cluster'
import { subscribe } from 'node:diagnostics_channel'
import type { ServerResponse } from 'node:http'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Session } from 'node:inspector'
import { COMMAND_FILE, replyFile, type Command, type Reply } from './control-protocol.js'

/** Wraps `owner[method]` so that every call runs `onCall` first. */
export function countCalls(owner: object, method: string, onCall: () => void): void {
  const target = owner as Record<string, unknown>
  const original = target[method]
  if (typeof original !== 'function') throw new Error(`cannot count round trips: no ${method}() to wrap`)
  target[method] = function counted(this: unknown, ...args: unknown[]) {
    onCall()
    return (original as (...a: unknown[]) => unknown).apply(this, args)
  }
}

/** Where the driver's statement-sending methods live: [prototype, method names]. */
export function driverMethods(dsn: string): Array<[object, string[]]> {
  // The driver modules Orthrus itself imports (same package, same module cache).
  const require = createRequire(import.meta.url)
  if (/^(postgres|postgresql|cockroach|cockroachdb):/i.test(dsn)) {
    return [[(require('pg') as { Client: { prototype: object } }).Client.prototype, ['query']]]
  }
  if (/^mysql:/i.test(dsn)) {
    // query() and execute() live on the connection class's base (lib/base/connection.js).
    let proto = (require('mysql2') as { Connection: { prototype: object } }).Connection.prototype
    while (!Object.prototype.hasOwnProperty.call(proto, 'query')) proto = Object.getPrototypeOf(proto) as object
    return [[proto, ['query', 'execute']]]
  }
  return []
}

const dir = process.env['BENCH_CONTROL_DIR']
if (dir) install(dir)

export function install(dir: string, dsn = process.env['DSN'] ?? ''): void {
  let roundTrips = 0
  // Requests this process started serving, counted beside the round trips: the requests still in
  // flight when the load generator stops are served (and make their queries) but reach neither
  // its count nor, as their sockets are gone, a finished response. A count is taken once no
  // request is in flight, so no request has its start on one side of it and its queries on the
  // other.
  let requests = 0
  let inFlight = 0
  subscribe('http.server.request.start', (message) => {
    requests++
    inFlight++
    ;(message as { response: ServerResponse }).response.once('close', () => inFlight--)
  })
  const settled = async (): Promise<void> => {
    for (let waited = 0; inFlight > 0 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5))
  }
  // A cluster's primary never opens the database: loading a driver there would only add memory.
  const primary = cluster.isPrimary && Number(process.env['SERVE_WORKERS'] ?? '1') > 1
  for (const [proto, methods] of primary ? [] : driverMethods(dsn)) {
    for (const method of methods) countCalls(proto, method, () => roundTrips++)
  }

  let session: Session | undefined
  const answer = (reply: Omit<Reply, 'roundTrips' | 'requests'>): void => {
    const file = join(dir, replyFile(process.pid))
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...reply, roundTrips, requests }))
    renameSync(`${file}.tmp`, file)
  }
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => session!.post(method, (err, result) => (err ? reject(err) : resolve(result))))

  process.on('SIGUSR2', () => {
    let command: Command
    try {
      command = JSON.parse(readFileSync(join(dir, COMMAND_FILE), 'utf8')) as Command
    } catch {
      return
    }
    const { seq } = command
    const run = async (): Promise<Omit<Reply, 'roundTrips' | 'requests'>> => {
      if (command.op === 'profile-start') {
        const { Session } = await import('node:inspector')
        session = new Session()
        session.connect()
        await post('Profiler.enable')
        await post('Profiler.start')
      } else if (command.op === 'profile-stop' && session) {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown }
        session.disconnect()
        session = undefined
        const file = (command.file ?? 'profile-{pid}.cpuprofile').replace('{pid}', String(process.pid))
        writeFileSync(file, JSON.stringify(profile))
        return { seq, file }
      }
      if (command.op === 'count') await settled()
      return { seq }
    }
    run().then(answer, (e: unknown) => answer({ seq, error: e instanceof Error ? e.message : String(e) }))
  })
}
