// A smoke test of the benchmark harness (bench/), never of anyone's speed: the /proc readings,
// the control channel to instrumented processes, one short measured scenario against a tiny
// server, and the PASS/FAIL rules of the report on made-up figures.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { Control } from '../../bench/control.js'
import { countCalls, driverMethods, install } from '../../bench/instrument.js'
import { measure } from '../../bench/load.js'
import { cpuSeconds, processTree, rssMB, serverPids } from '../../bench/proc.js'
import { median, report, verdicts, type Row } from '../../bench/report.js'
import type { Measurement } from '../../bench/load.js'

const linux = existsSync('/proc/self/stat')
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
})

/** A node process that answers every request with 200 `{}` on 127.0.0.1 and prints its port. */
async function tinyServer(): Promise<{ pid: number; url: string }> {
  const child = spawn(process.execPath, [
    '-e',
    "require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{}')) }).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
  ])
  children.push(child)
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())))
  return { pid: child.pid!, url: `http://127.0.0.1:${port}` }
}

describe.skipIf(!linux)('bench /proc readings', () => {
  it('sees a process and its children, their CPU time and memory', async () => {
    const parent = spawn(process.execPath, ['-e', "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); setInterval(() => {}, 1000)"])
    children.push(parent)
    let tree: number[] = []
    for (let i = 0; i < 100 && tree.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50))
      tree = processTree(parent.pid!)
    }
    expect(tree[0]).toBe(parent.pid)
    expect(tree).toHaveLength(2)
    expect(rssMB(tree)).toBeGreaterThan(0)
    const cpu = cpuSeconds([process.pid])
    expect(cpu).toBeGreaterThan(0)
    expect(cpuSeconds([process.pid])).toBeGreaterThanOrEqual(cpu!)
    const comm = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim()
    expect(serverPids([comm])).toContain(process.pid)
    expect(cpuSeconds([2 ** 30])).toBeUndefined()
  })

  it('measures one short scenario: responses, CPU per response and peak memory of the target', async () => {
    const server = await tinyServer()
    const m = await measure({ url: server.url, headers: {}, body: '' }, { key: 'tiny', name: 'tiny', pid: server.pid, token: { url: server.url, headers: {}, body: '' }, introspect: () => ({ url: server.url, headers: {}, body: '' }), stop: async () => undefined }, { connections: 2, duration: 1, warmup: 0 })
    expect(m.requests).toBeGreaterThan(0)
    expect(m.errors).toBe(0)
    expect(m.cpuUsPerRequest).toBeGreaterThanOrEqual(0)
    expect(m.peakRssMB).toBeGreaterThan(0)
    expect(m.roundTripsPerRequest).toBeUndefined()
  })
})

describe('bench control channel', () => {
  it('wraps a driver method so that each call is counted, and finds the drivers’ methods', () => {
    const calls: string[] = []
    const owner = { query: (sql: string) => `ran ${sql}` }
    countCalls(owner, 'query', () => calls.push('counted'))
    expect(owner.query('select 1')).toBe('ran select 1')
    expect(calls).toEqual(['counted'])
    // A driver upgrade that moves these methods must fail here, not count zero silently.
    const [[pgProto, pgMethods]] = driverMethods('postgres://x@127.0.0.1/db') as [[Record<string, unknown>, string[]]]
    expect(pgMethods.map((m) => typeof pgProto[m])).toEqual(['function'])
    const [[myProto, myMethods]] = driverMethods('mysql://x@127.0.0.1:3306/db') as [[Record<string, unknown>, string[]]]
    expect(myMethods.map((m) => typeof myProto[m])).toEqual(['function', 'function'])
    expect(driverMethods('sqlite:///tmp/x.sqlite')).toEqual([])
  })

  it.skipIf(process.platform === 'win32')('asks an instrumented process for its count and a CPU profile', async () => {
    const control = new Control()
    try {
      install(control.dir, '')
      expect(await control.counts([process.pid])).toEqual({ roundTrips: 0, requests: 0 })
      // A request this process serves is counted, so round trips divide by what was served.
      const server = createServer((_req, res) => res.end('ok'))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = server.address() as AddressInfo
        expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
      expect(await control.counts([process.pid])).toEqual({ roundTrips: 0, requests: 1 })
      await control.ask([process.pid], { op: 'profile-start' })
      const [reply] = await control.ask([process.pid], { op: 'profile-stop', file: `${control.dir}/p-{pid}.cpuprofile` })
      expect(reply?.file).toBe(`${control.dir}/p-${process.pid}.cpuprofile`)
      const profile = JSON.parse(readFileSync(reply!.file!, 'utf8')) as { nodes?: unknown[] }
      expect(Array.isArray(profile.nodes)).toBe(true)
    } finally {
      control.close()
    }
  })
})

describe('bench report', () => {
  const m = (over: Partial<Measurement>): Measurement => ({ requests: 1000, reqPerSec: 100, p50: 2, p99: 10, non2xx: 0, errors: 0, ...over })
  const row = (key: string, kind: Row['kind'], result: Measurement): Row => ({ key, target: key, kind, result })
  const settings = { connections: 50, duration: 10, warmup: 2 }

  it('checks each target against the same run and says n/a for what was not measured', () => {
    const rows: Row[] = [
      row('lean', 'token', m({ cpuUsPerRequest: 200 })),
      row('lean', 'introspection', m({ cpuUsPerRequest: 200 })),
      row('orthrus', 'token', m({ cpuUsPerRequest: 300, p99: 20, peakRssMB: 119 })),
      row('orthrus', 'introspection', m({ cpuUsPerRequest: 301, p99: 21, peakRssMB: 121 })),
      row('orthrus-postgresql', 'token', m({ cpuUsPerRequest: 390, roundTripsPerRequest: 1 })),
      row('orthrus-postgresql', 'introspection', m({ cpuUsPerRequest: 390, roundTripsPerRequest: 1 })),
    ]
    const cli = [
      { label: 'version', runsMs: [100, 300, 200] },
      { label: 'list', runsMs: [], failure: 'exited with 1' },
    ]
    const byTarget = Object.fromEntries(verdicts(rows, settings, cli).map((v) => [v.target, v.pass]))
    expect(Object.values(byTarget)).toEqual([true, false, true, false, false, true, true, true, false, true, undefined])
    expect(median([100, 300, 200])).toBe(200)
    expect(median([4, 1, 3, 2])).toBe(2.5)

    const text = report(rows, settings, cli, 'header')
    expect(text).toContain('PASS  client_credentials: Orthrus CPU/request ≤ 1.5x the lean stack\'s: 1.50x (300 vs 200 µs)')
    expect(text).toContain('FAIL  introspection: Orthrus CPU/request ≤ 1.5x the lean stack\'s: 1.50x (301 vs 200 µs)')
    expect(text).toContain('FAIL  Orthrus peak RSS ≤ 120 MB under the benchmark: 121 MB')
    expect(text).toContain('FAIL  PostgreSQL: token inserts of concurrent requests combined (< 1 round trip per client_credentials token): 1.00')
    expect(text).toContain(' n/a  CLI start-up < 250 ms: orthrus list: n/a (exited with 1)')
  })

  it('has no verdict without the lean stack, and no PostgreSQL lines without its rows', () => {
    const rows: Row[] = [row('orthrus', 'token', m({ cpuUsPerRequest: 300 })), { key: 'orthrus', target: 'Orthrus', kind: 'introspection', result: { missing: 'HTTP 500' } }]
    const list = verdicts(rows, settings, [])
    expect(list[0]).toEqual({ target: "client_credentials: Orthrus CPU/request ≤ 1.5x the lean stack's", value: 'n/a (lean stack CPU not measured)' })
    expect(list.some((v) => v.target.startsWith('PostgreSQL'))).toBe(false)
    expect(report(rows, settings, [], 'header')).toContain('Orthrus, introspection: not measured (HTTP 500)')
  })
})
