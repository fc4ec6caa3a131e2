// TLS terminated upstream (serve.*.tls.allow_termination_from): plain-HTTP requests are served
// only from the configured ranges with X-Forwarded-Proto: https, health probes always; and the
// forwarded client address is believed only from those ranges.
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { ConfigError } from '../../src/config/types.js'
import { createAdminApp } from '../../src/http/admin.js'
import { AddressRanges, plainHttpWarning } from '../../src/http/proxy.js'
import { createPublicApp } from '../../src/http/public.js'
import { createLogger } from '../../src/logging.js'
import { createRegistry, type Registry } from '../../src/registry.js'
import { TEST_SECRET, testConfig } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

const PROD = { URLS_SELF_ISSUER: 'https://auth.example.com/', LOG_LEVEL: 'info' }

interface Edge {
  registry: Registry
  public: Awaited<ReturnType<typeof createPublicApp>>
  admin: Awaited<ReturnType<typeof createAdminApp>>
  lines: Array<Record<string, unknown>>
  close(): Promise<void>
}

async function edge(dsn: string, env: Record<string, string>): Promise<Edge> {
  const config = testConfig(dsn, { ...PROD, ...env }, { dev: false })
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
      done()
    },
  })
  const registry = await createRegistry(config, { logger: createLogger(config.log, sink), migrate: true })
  const pub = await createPublicApp(registry)
  const admin = await createAdminApp(registry)
  return {
    registry,
    public: pub,
    admin,
    lines,
    async close() {
      await pub.close()
      await admin.close()
      await registry.close()
    },
  }
}

const accessLine = (e: Edge, requestId: string) => e.lines.find((l) => l.request_id === requestId && l.msg === 'request completed')

describe('address ranges', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses', () => {
    const r = new AddressRanges(['10.0.0.0/8', 'fd00::/8', '192.168.1.7/32'])
    expect(r.contains('10.200.0.1')).toBe(true)
    expect(r.contains('::ffff:10.1.1.1')).toBe(true)
    expect(r.contains('fd12::1')).toBe(true)
    expect(r.contains('192.168.1.7')).toBe(true)
    expect(r.contains('192.168.1.8')).toBe(false)
    expect(r.contains('11.0.0.1')).toBe(false)
    expect(r.contains('fe80::1')).toBe(false)
    expect(r.contains(undefined)).toBe(false)
    expect(r.contains('not-an-ip')).toBe(false)
  })

  it('refuses a malformed range in the configuration, naming the key', () => {
    const load = (value: string) =>
      loadConfig({ dev: true, env: { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, SERVE_PUBLIC_TLS_ALLOW_TERMINATION_FROM: value } })
    expect(() => load('10.0.0.0/33')).toThrow(ConfigError)
    expect(() => load('10.0.0.0')).toThrow(/serve\.public\.tls\.allow_termination_from/)
    expect(() => load('fd00::/129')).toThrow(ConfigError)
    expect(load('10.0.0.0/8, fd00::/8').config.serve.public.tls.allow_termination_from).toEqual(['10.0.0.0/8', 'fd00::/8'])
  })

  it('warns at start-up only for a production listener with neither TLS nor terminating proxies', () => {
    expect(plainHttpWarning('public', false, { enabled: false })).toMatch(/public listener serves plain HTTP/)
    expect(plainHttpWarning('public', true, { enabled: false })).toBeUndefined()
    expect(plainHttpWarning('public', false, { enabled: true })).toBeUndefined()
    expect(plainHttpWarning('public', false, { enabled: false, allow_termination_from: ['10.0.0.0/8'] })).toBeUndefined()
  })

  it('falls back to serve.tls.allow_termination_from per listener', () => {
    const { config } = loadConfig({
      dev: true,
      env: { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, SERVE_TLS_ALLOW_TERMINATION_FROM: '10.0.0.0/8', SERVE_ADMIN_TLS_ALLOW_TERMINATION_FROM: '172.16.0.0/12' },
    })
    expect(config.serve.public.tls.allow_termination_from).toEqual(['10.0.0.0/8'])
    expect(config.serve.admin.tls.allow_termination_from).toEqual(['172.16.0.0/12'])
  })
})

for (const t of testDatabases()) {
  describe(`TLS termination on ${t.name}`, () => {
    let guarded: Edge
    let open: Edge
    let dropAll: Array<() => Promise<void>>
    beforeAll(async () => {
      const a = await t.create()
      const b = await t.create()
      dropAll = [a.drop, b.drop]
      guarded = await edge(a.dsn, { SERVE_PUBLIC_TLS_ALLOW_TERMINATION_FROM: '10.0.0.0/8' })
      open = await edge(b.dsn, {})
    })
    afterAll(async () => {
      await guarded.close()
      await open.close()
      for (const drop of dropAll) await drop()
    })

    const discovery = '/.well-known/openid-configuration'

    it('refuses plain HTTP from outside the ranges with a 502, but serves health probes', async () => {
      const res = await guarded.public.inject({ method: 'GET', url: discovery, remoteAddress: '203.0.113.5' })
      expect(res.statusCode).toBe(502)
      expect(res.json()).toMatchObject({ error: 'request_forbidden', status_code: 502 })
      for (const url of ['/health/alive', '/health/ready']) {
        const probe = await guarded.public.inject({ method: 'GET', url, remoteAddress: '203.0.113.5' })
        expect(probe.statusCode, url).toBe(200)
      }
    })

    it('needs X-Forwarded-Proto: https from an allowed proxy', async () => {
      const none = await guarded.public.inject({ method: 'GET', url: discovery, remoteAddress: '10.1.2.3' })
      expect(none.statusCode).toBe(502)
      const http = await guarded.public.inject({ method: 'GET', url: discovery, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-proto': 'http' } })
      expect(http.statusCode).toBe(502)
      const https = await guarded.public.inject({ method: 'GET', url: discovery, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-proto': 'https' } })
      expect(https.statusCode).toBe(200)
    })

    it('does not let a client outside the ranges pretend to be the proxy with X-Forwarded-For', async () => {
      const res = await guarded.public.inject({
        method: 'GET',
        url: discovery,
        remoteAddress: '203.0.113.5',
        headers: { 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'https' },
      })
      expect(res.statusCode).toBe(502)
    })

    it('logs the forwarded client address only for requests from an allowed proxy', async () => {
      const viaProxy = await guarded.public.inject({
        method: 'GET',
        url: discovery,
        remoteAddress: '10.1.2.3',
        headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-request-id': 'proxied-1' },
      })
      expect(viaProxy.statusCode).toBe(200)
      expect(accessLine(guarded, 'proxied-1')).toMatchObject({ client_ip: '198.51.100.7', status: 200 })

      const direct = await open.public.inject({
        method: 'GET',
        url: discovery,
        remoteAddress: '203.0.113.5',
        headers: { 'x-forwarded-for': '198.51.100.7', 'x-request-id': 'direct-1' },
      })
      expect(direct.statusCode).toBe(200)
      expect(accessLine(open, 'direct-1')).toMatchObject({ client_ip: '203.0.113.5' })
    })

    it('leaves a listener without ranges alone (plain HTTP from anywhere, as Hydra 2 does)', async () => {
      const pub = await open.public.inject({ method: 'GET', url: discovery, remoteAddress: '203.0.113.5' })
      expect(pub.statusCode).toBe(200)
      // Only the public listener of `guarded` has ranges.
      const admin = await guarded.admin.inject({ method: 'GET', url: '/admin/clients', remoteAddress: '203.0.113.5' })
      expect(admin.statusCode).toBe(200)
    })

    it('applies over a real socket', async () => {
      const { dsn, drop } = await t.create()
      const e = await edge(dsn, { SERVE_PUBLIC_TLS_ALLOW_TERMINATION_FROM: '127.0.0.0/8' })
      try {
        await e.public.listen({ host: '127.0.0.1', port: 0 })
        const addr = e.public.server.address()
        if (addr === null || typeof addr === 'string') throw new Error('no address')
        const base = `http://127.0.0.1:${addr.port}`
        expect((await fetch(`${base}${discovery}`)).status).toBe(502)
        expect((await fetch(`${base}${discovery}`, { headers: { 'x-forwarded-proto': 'https' } })).status).toBe(200)
        expect((await fetch(`${base}/health/alive`)).status).toBe(200)
      } finally {
        await e.close()
        await drop()
      }
    })
  })
}
