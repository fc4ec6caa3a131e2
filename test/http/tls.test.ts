// TLS on the listeners (serve.tls, serve.public.tls, serve.admin.tls), through the built binary:
// a self-signed certificate made with openssl at test time, trusted by the test client only.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startServerProcess, type ServerProcess } from '../support/cli.js'
import { TEST_SECRET } from '../support/app.js'

const OPENSSL = '/usr/bin/openssl'
const haveOpenssl = existsSync(OPENSSL)
if (!haveOpenssl) console.warn('tls.test.ts: skipped, /usr/bin/openssl is not installed (needed to make a test certificate)')

function makeCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  execFileSync(OPENSSL, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' })
  return { cert, key }
}

function fetchTls(url: string, ca: Buffer): Promise<{ status: number; body: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca, agent: false }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, authorized: (res.socket as unknown as { authorized?: boolean }).authorized === true }))
    }).on('error', reject)
  })
}

function fetchPlain(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, timeout: 5000 }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

const BASE_ENV = { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, LOG_LEVEL: 'info' }

describe.skipIf(!haveOpenssl)('TLS listeners (built binary)', () => {
  let dir: string
  let main: { cert: string; key: string }
  let other: { cert: string; key: string }
  let server: ServerProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-tls-'))
    main = makeCert(dir, 'main')
    other = makeCert(dir, 'other')
    server = await startServerProcess(['--dev'], {
      ...BASE_ENV,
      // Public: serve.tls.* as the fallback, by path.
      SERVE_TLS_ENABLED: 'true',
      SERVE_TLS_CERT_PATH: main.cert,
      SERVE_TLS_KEY_PATH: main.key,
      // Admin: its own certificate, as base64 of the PEM.
      SERVE_ADMIN_TLS_CERT_BASE64: readFileSync(other.cert).toString('base64'),
      SERVE_ADMIN_TLS_KEY_BASE64: readFileSync(other.key).toString('base64'),
    })
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves HTTPS on both listeners with the configured certificates', async () => {
    expect(server.publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(server.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const pub = await fetchTls(`${server.publicUrl}/.well-known/openid-configuration`, readFileSync(main.cert))
    expect(pub.status).toBe(200)
    expect(pub.authorized).toBe(true)
    const admin = await fetchTls(`${server.adminUrl}/health/ready`, readFileSync(other.cert))
    expect(admin.status).toBe(200)
  })

  it('presents each listener\'s own certificate (the other CA is not trusted)', async () => {
    await expect(fetchTls(`${server.adminUrl}/health/alive`, readFileSync(main.cert))).rejects.toThrow()
    await expect(fetchTls(`${server.publicUrl}/health/alive`, readFileSync(other.cert))).rejects.toThrow()
  })

  it('does not speak plain HTTP on a TLS port', async () => {
    const plain = server.publicUrl.replace('https:', 'http:')
    await expect(fetchPlain(`${plain}/health/alive`)).rejects.toThrow()
  })
})

describe.skipIf(!haveOpenssl)('TLS misconfiguration stops start-up with one line', () => {
  let dir: string
  let a: { cert: string; key: string }
  let b: { cert: string; key: string }
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-tls-bad-'))
    a = makeCert(dir, 'a')
    b = makeCert(dir, 'b')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const start = (env: Record<string, string>) =>
    runCli(['serve', 'all', '--dev'], { env: { ...BASE_ENV, SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0', SERVE_PUBLIC_HOST: '127.0.0.1', SERVE_ADMIN_HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env } })

  it('names a missing certificate file', async () => {
    const res = await start({ SERVE_PUBLIC_TLS_ENABLED: 'true', SERVE_PUBLIC_TLS_CERT_PATH: join(dir, 'nope.crt'), SERVE_PUBLIC_TLS_KEY_PATH: a.key })
    expect(res.code).toBe(1)
    const last = res.stderr.trim().split('\n').at(-1) ?? ''
    expect(last).toMatch(/^orthrus: TLS is enabled for the public listener but serve\.public\.tls\.cert\.path ".*nope\.crt" cannot be read \(ENOENT\)$/)
  })

  it('refuses a key that does not belong to the certificate, without printing either', async () => {
    const res = await start({ SERVE_TLS_ENABLED: 'true', SERVE_TLS_CERT_PATH: a.cert, SERVE_TLS_KEY_PATH: b.key })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/orthrus: TLS is enabled for the public listener but serve\.public\.tls\.key does not belong to the certificate/)
    expect(res.stderr).not.toContain('PRIVATE KEY')
  })

  it('refuses TLS without a certificate, and base64 that is not PEM', async () => {
    const none = await start({ SERVE_ADMIN_TLS_ENABLED: 'true' })
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/orthrus: TLS is enabled for the admin listener but no certificate is set: set serve\.admin\.tls\.cert\.path or serve\.admin\.tls\.cert\.base64/)
    const junk = await start({ SERVE_PUBLIC_TLS_ENABLED: 'true', SERVE_PUBLIC_TLS_CERT_BASE64: Buffer.from('hello').toString('base64'), SERVE_PUBLIC_TLS_KEY_PATH: a.key })
    expect(junk.code).toBe(1)
    expect(junk.stderr).toMatch(/serve\.public\.tls\.cert\.base64 is not base64 of a PEM document/)
  })
})
