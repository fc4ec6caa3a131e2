// clients.http.disallow_private_ip_ranges in the outbound fetcher: private addresses refused
// before any connection, names resolved once and the socket connected to the very address that
// was checked (a rebinding resolver cannot slip a second answer in), exception URLs exempt.
import { createServer, type Server } from 'node:http'
import type { LookupAddress } from 'node:dns'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutboundFetcher, exceptionMatcher } from '../../src/outbound/fetcher.js'

let server: Server
let port = 0
let hits = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++
    res.writeHead(200).end(`hello from ${req.socket.localAddress ?? ''}`)
  })
  // Listens on all of 127/8's 127.0.0.1 only, plus a second server below on 127.0.0.2.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const v4 = (address: string): LookupAddress => ({ address, family: 4 })

describe('OutboundFetcher with disallow_private_ip_ranges', () => {
  it('refuses IP literals in refused ranges before connecting, in every spelling', async () => {
    const fetcher = new OutboundFetcher({ disallowPrivateIpRanges: true })
    const before = hits
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '0x7f.0.0.1', '2130706433', '[::ffff:7f00:1]']) {
      await expect(fetcher.getText(`http://${host}:${port}/`), host).rejects.toMatchObject({ reason: 'disallowed_address' })
    }
    await expect(fetcher.getText('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({ reason: 'disallowed_address' })
    await expect(fetcher.getText('http://[fd00:ec2::254]/')).rejects.toMatchObject({ reason: 'disallowed_address' })
    expect(hits).toBe(before)
  })

  it('refuses a name that resolves to a refused address (localhost, and a name pointed at 10/8)', async () => {
    const before = hits
    const fetcher = new OutboundFetcher({ disallowPrivateIpRanges: true })
    await expect(fetcher.getText(`http://localhost:${port}/`)).rejects.toMatchObject({ reason: 'disallowed_address' })
    const named = new OutboundFetcher({ disallowPrivateIpRanges: true, resolve: async () => [v4('10.1.2.3'), v4('127.0.0.1')] })
    await expect(named.getText(`http://intranet.test:${port}/`)).rejects.toMatchObject({ reason: 'disallowed_address' })
    expect(hits).toBe(before)
  })

  it('without the setting the same requests go through', async () => {
    const fetcher = new OutboundFetcher()
    await expect(fetcher.getText(`http://127.0.0.1:${port}/`)).resolves.toMatch(/hello/)
    await expect(fetcher.getText(`http://localhost:${port}/`)).resolves.toMatch(/hello/)
  })

  it('connects to the address it checked: one lookup, so a rebinding answer never reaches the socket', async () => {
    // A second server on 127.0.0.2 plays the "public" host; 127.0.0.1 plays the internal one.
    const outer = createServer((req, res) => res.writeHead(200).end('outer'))
    await new Promise<void>((r) => outer.listen(port, '127.0.0.2', r))
    try {
      let lookups = 0
      const before = hits
      const fetcher = new OutboundFetcher({
        disallowPrivateIpRanges: true,
        allowAddress: (ip) => ip === '127.0.0.2',
        // First answer allowed, every later one rebinds to the internal address.
        resolve: async () => (lookups++ === 0 ? [v4('127.0.0.2')] : [v4('127.0.0.1')]),
      })
      await expect(fetcher.getText(`http://rebind.test:${port}/`)).resolves.toBe('outer')
      expect(lookups).toBe(1)
      expect(hits).toBe(before)
      // The next request sees the rebound answer, and is refused.
      await expect(fetcher.getText(`http://rebind.test:${port}/`)).rejects.toMatchObject({ reason: 'disallowed_address' })
      expect(hits).toBe(before)
    } finally {
      outer.closeAllConnections()
      await new Promise((r) => outer.close(r))
    }
  })

  it('uses only the allowed addresses of a name that has both kinds', async () => {
    const outer = createServer((req, res) => res.writeHead(200).end('outer'))
    await new Promise<void>((r) => outer.listen(port, '127.0.0.2', r))
    try {
      const before = hits
      const fetcher = new OutboundFetcher({
        disallowPrivateIpRanges: true,
        allowAddress: (ip) => ip === '127.0.0.2',
        resolve: async () => [v4('127.0.0.1'), v4('127.0.0.2')],
      })
      await expect(fetcher.getText(`http://mixed.test:${port}/`)).resolves.toBe('outer')
      expect(hits).toBe(before)
    } finally {
      outer.closeAllConnections()
      await new Promise((r) => outer.close(r))
    }
  })

  it('lets exception URLs through (globs, matched without query or fragment), and only them', async () => {
    const fetcher = new OutboundFetcher({
      disallowPrivateIpRanges: true,
      privateIpExceptionUrls: [`http://127.0.0.1:${port}/allowed/*`, `http://localhost:${port}/exact`],
    })
    await expect(fetcher.getText(`http://127.0.0.1:${port}/allowed/doc?x=1#y`)).resolves.toMatch(/hello/)
    await expect(fetcher.getText(`http://localhost:${port}/exact`)).resolves.toMatch(/hello/)
    await expect(fetcher.getText(`http://127.0.0.1:${port}/allowed/deeper/doc`)).rejects.toMatchObject({ reason: 'disallowed_address' })
    await expect(fetcher.getText(`http://127.0.0.1:${port}/other`)).rejects.toMatchObject({ reason: 'disallowed_address' })
    await expect(fetcher.getText(`http://localhost:${port}/exact/more`)).rejects.toMatchObject({ reason: 'disallowed_address' })
  })

  it('checkDestination applies the same policy to registered URLs', async () => {
    const fetcher = new OutboundFetcher({ disallowPrivateIpRanges: true, privateIpExceptionUrls: ['http://127.0.0.1:1/ok'] })
    await expect(fetcher.checkDestination('http://127.0.0.1:1/jwks')).rejects.toMatchObject({ reason: 'disallowed_address' })
    await expect(fetcher.checkDestination('http://localhost/jwks')).rejects.toMatchObject({ reason: 'disallowed_address' })
    await expect(fetcher.checkDestination('http://127.0.0.1:1/ok')).resolves.toBeUndefined()
    await expect(new OutboundFetcher().checkDestination('http://127.0.0.1/jwks')).resolves.toBeUndefined()
  })
})

describe('exceptionMatcher (Hydra-style globs with . and / as separators)', () => {
  it.each([
    ['https://hooks.internal/token', 'https://hooks.internal/token', true],
    ['https://hooks.internal/token', 'https://hooks.internal/token2', false],
    ['https://hooks.internal/token', 'https://HOOKS.internal/token', false],
    ['https://*.internal/hook', 'https://a.internal/hook', true],
    ['https://*.internal/hook', 'https://a.b.internal/hook', false],
    ['https://**.internal/hook', 'https://a.b.internal/hook', true],
    ['http://10.0.0.?/x', 'http://10.0.0.7/x', true],
    ['http://10.0.0.?/x', 'http://10.0.0.17/x', false],
    ['https://{a,b}.internal/x', 'https://b.internal/x', true],
    ['https://{a,b}.internal/x', 'https://c.internal/x', false],
    ['https://kratos:4434/**', 'https://kratos:4434/admin/sessions/abc', true],
  ])('%s matches %s: %s', (glob, url, expected) => {
    expect(exceptionMatcher(glob).test(url)).toBe(expected)
  })
})
