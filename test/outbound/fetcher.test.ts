// The bounded outbound fetcher on its own: fan-out per destination, what its errors say, and the
// requests it sends.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutboundError, OutboundFetcher } from '../../src/outbound/fetcher.js'

let server: Server
let base = ''
let active = 0
let peak = 0
const held: ServerResponse[] = []
const received: Array<{ method: string; headers: IncomingMessage['headers']; body: string }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push({ method: req.method ?? '', headers: req.headers, body })
      if (req.url === '/hold') {
        active++
        peak = Math.max(peak, active)
        held.push(res)
        res.on('close', () => active--)
        return
      }
      if (req.url?.startsWith('/secret-error')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('SECRET-BODY internal trace')
      if (req.url === '/echo') return void res.writeHead(200).end(body)
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const releaseAll = () => {
  for (const res of held.splice(0)) res.writeHead(200).end('ok')
}
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe('OutboundFetcher', () => {
  it('runs at most maxPerDestination requests at once per host:port; the rest wait their turn', async () => {
    peak = 0
    const fetcher = new OutboundFetcher({ maxPerDestination: 2 })
    const all = Promise.all(Array.from({ length: 6 }, () => fetcher.getText(`${base}/hold`)))
    await until(() => held.length === 2)
    await new Promise((r) => setTimeout(r, 100))
    expect(held).toHaveLength(2)
    // Answer whoever is in, until everyone had a turn.
    for (let done = 0; done < 6; ) {
      await until(() => held.length > 0)
      done += held.length
      releaseAll()
    }
    expect(await all).toEqual(Array(6).fill('ok'))
    expect(peak).toBe(2)
  })

  it('refuses new requests when too many already wait for one destination', async () => {
    const fetcher = new OutboundFetcher({ maxPerDestination: 1, maxWaitingPerDestination: 1 })
    const first = fetcher.getText(`${base}/hold`)
    const second = fetcher.getText(`${base}/hold`)
    await until(() => held.length === 1)
    await expect(fetcher.getText(`${base}/hold`)).rejects.toMatchObject({ reason: 'busy' })
    releaseAll()
    await until(() => held.length === 1)
    releaseAll()
    await expect(Promise.all([first, second])).resolves.toEqual(['ok', 'ok'])
  })

  it('a request waiting for a slot past its deadline times out and frees its place', async () => {
    const fetcher = new OutboundFetcher({ maxPerDestination: 1 })
    const first = fetcher.getText(`${base}/hold`, { timeoutMs: 3000 })
    await until(() => held.length === 1)
    await expect(fetcher.getText(`${base}/hold`, { timeoutMs: 150 })).rejects.toMatchObject({ reason: 'timeout' })
    releaseAll()
    await expect(first).resolves.toBe('ok')
    // The slot is free again.
    const third = fetcher.getText(`${base}/hold`)
    await until(() => held.length === 1)
    releaseAll()
    await expect(third).resolves.toBe('ok')
  })

  it("never puts the remote's status or body into its error, but logs the status", async () => {
    const logged: Array<Record<string, unknown>> = []
    const fetcher = new OutboundFetcher({ log: (fields) => logged.push(fields) })
    const e = (await fetcher.getText(`${base}/secret-error?token=abc`).catch((x: unknown) => x)) as OutboundError
    expect(e).toBeInstanceOf(OutboundError)
    expect(e.message).not.toMatch(/500|SECRET/)
    expect(e.status).toBe(500)
    expect(logged).toEqual([{ host: new URL(base).host, reason: 'status', status: 500 }])
    expect(JSON.stringify(logged)).not.toContain('token=abc')
  })

  it('sends the method, headers and body, asks for identity encoding, and refuses other schemes', async () => {
    const fetcher = new OutboundFetcher()
    const res = await fetcher.request(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'héllo' })
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe('héllo')
    const seen = received.at(-1)
    expect(seen?.method).toBe('POST')
    expect(seen?.headers['accept-encoding']).toBe('identity')
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength('héllo')))
    await expect(fetcher.request('file:///etc/passwd')).rejects.toMatchObject({ reason: 'invalid_url' })
    await expect(fetcher.request('not a url')).rejects.toMatchObject({ reason: 'invalid_url' })
    await expect(fetcher.request('http://127.0.0.1:9/')).rejects.toMatchObject({ reason: 'unreachable' })
  })
})
