// The CLI end to end: a real server process, the real binary, a throw-away SQLite file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startServerProcess, type ServerProcess } from '../support/cli.js'

const SECRET = 'cli-test-system-secret-0123456789'

describe('orthrus CLI against a running server', () => {
  let dir: string
  let server: ServerProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-cli-'))
    server = await startServerProcess(['--dev'], { SECRETS_SYSTEM: SECRET, OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000' }, dir)
  })
  afterAll(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves /health/ready on both listeners with the SQLite default', async () => {
    for (const url of [server.publicUrl, server.adminUrl]) {
      const res = await fetch(`${url}/health/ready`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok' })
    }
  })

  it('creates a client and shows it in the list (the tutorial)', async () => {
    const created = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--name', 'Client Credentials Demo', '--grant-type', 'client_credentials'])
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    const id = /CLIENT ID\s+(\S+)/.exec(created.stdout)?.[1]
    const secret = /CLIENT SECRET\s+(\S+)/.exec(created.stdout)?.[1]
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(secret).toBeTruthy()
    expect(created.stdout).toMatch(/GRANT TYPES\s+client_credentials/)
    expect(created.stdout).toMatch(/SCOPE\s+offline_access offline openid/)

    const listed = await runCli(['list', 'oauth2-clients', '--endpoint', server.adminUrl])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(id)
    expect(listed.stdout).not.toContain(secret)

    const json = await runCli(['get', 'oauth2-client', id!, '--endpoint', server.adminUrl, '--format', 'json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ client_id: id, client_name: 'Client Credentials Demo' })

    const deleted = await runCli(['delete', 'oauth2-client', id!, '--endpoint', server.adminUrl])
    expect(deleted.code).toBe(0)
    const gone = await runCli(['get', 'oauth2-client', id!, '--endpoint', server.adminUrl])
    expect(gone.code).not.toBe(0)
    expect(gone.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('prints one clear line for a server-side validation error', async () => {
    const res = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--redirect-uri', 'javascript:alert(1)'])
    expect(res.code).not.toBe(0)
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain('invalid_redirect_uri')
  })

  it('never writes a client secret to the server log', () => {
    expect(server.logs()).not.toMatch(/client_secret"\s*:\s*"[^[]/)
  })
})

describe('orthrus serve start-up rules', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-serve-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('stops with one line naming the key for an invalid value', async () => {
    const res = await runCli(['serve', 'all', '--dev'], { env: { SERVE_PUBLIC_PORT: 'abc', SECRETS_SYSTEM: SECRET, DSN: 'memory' }, cwd: dir })
    expect(res.code).toBe(1)
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain('serve.public.port')
    expect(res.stderr).toContain('abc')
  })

  it('requires a system secret and an https issuer outside --dev', async () => {
    const noSecret = await runCli(['serve', 'all'], { env: { DSN: 'memory', URLS_SELF_ISSUER: 'https://auth.example.com' }, cwd: dir })
    expect(noSecret.code).toBe(1)
    expect(noSecret.stderr).toMatch(/secrets\.system|SECRETS_SYSTEM/)
    const short = await runCli(['serve', 'all'], { env: { DSN: 'memory', SECRETS_SYSTEM: 'short', URLS_SELF_ISSUER: 'https://auth.example.com' }, cwd: dir })
    expect(short.code).toBe(1)
    expect(short.stderr).not.toContain('short')
    const http = await runCli(['serve', 'all'], { env: { DSN: 'memory', SECRETS_SYSTEM: SECRET, URLS_SELF_ISSUER: 'http://auth.example.com' }, cwd: dir })
    expect(http.code).toBe(1)
    expect(http.stderr).toContain('https')
  })

  it('refuses an un-migrated database outside --dev, and migrate sql fixes that', async () => {
    const dsn = `sqlite://${join(dir, 'prod.sqlite')}?_fk=true`
    const env = { DSN: dsn, SECRETS_SYSTEM: SECRET, URLS_SELF_ISSUER: 'https://auth.example.com' }
    const refused = await runCli(['serve', 'all'], { env, cwd: dir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('migrate sql')

    const status = await runCli(['migrate', 'sql', 'status', dsn])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/0001_networks\s+Pending/)

    const noYes = await runCli(['migrate', 'sql', dsn])
    expect(noYes.code).not.toBe(0)
    expect(noYes.stderr).toContain('--yes')

    const up = await runCli(['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: dsn } })
    expect(up.code).toBe(0)
    expect((await runCli(['migrate', 'sql', 'status', dsn])).stdout).toMatch(/0002_clients\s+Applied/)

    const server = await startServerProcess([], env, dir)
    expect((await fetch(`${server.adminUrl}/health/ready`)).status).toBe(200)
    // Graceful shutdown on SIGTERM exits cleanly.
    expect(await server.stop('SIGTERM')).toBe(0)

    const down = await runCli(['migrate', 'sql', 'down', '1', dsn, '--yes'])
    expect(down.code).toBe(0)
    // Only the newest step is rolled back; the ones before it stay applied.
    const after = (await runCli(['migrate', 'sql', 'status', dsn])).stdout.trim().split('\n')
    expect(after.at(-1)).toMatch(/\s+Pending$/)
    expect(after.at(-2)).toMatch(/\s+Applied /)
  })

  it('says N is missing when migrate sql down gets only a DSN, never echoing the DSN', async () => {
    const dsn = 'postgres://orthrus:pw-not-shown@127.0.0.1:1/db'
    const onlyDsn = await runCli(['migrate', 'sql', 'down', dsn, '--yes'])
    expect(onlyDsn.code).toBe(1)
    expect(onlyDsn.stderr).toBe('orthrus: missing N, the number of migrations to roll back, before the DSN: migrate sql down N [dsn], e.g. migrate sql down 1 -e --yes\n')
    const nothing = await runCli(['migrate', 'sql', 'down', '-e', '--yes'], { env: { DSN: dsn } })
    expect(nothing.code).toBe(1)
    expect(nothing.stderr).toMatch(/^orthrus: missing N, the number of migrations to roll back: /)
    const word = await runCli(['migrate', 'sql', 'down', 'two', dsn, '--yes'])
    expect(word.stderr).toMatch(/^orthrus: N = "two" must be a positive integer/)
    for (const r of [onlyDsn, nothing, word]) expect(r.stderr).not.toContain('pw-not-shown')
  })

  it('says first, before any other line, that a port is taken', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as AddressInfo
    try {
      const r = await runCli(['serve', 'all', '--dev'], { env: { DSN: 'memory', SERVE_PUBLIC_HOST: '127.0.0.1', SERVE_ADMIN_PORT: '0', SERVE_PUBLIC_PORT: String(port) }, cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(
        `orthrus: serve.public.port: port ${port} on 127.0.0.1 is already in use (another Orthrus or Hydra running?): stop it, or choose another port with SERVE_PUBLIC_PORT\n`,
      )
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('prints its version', async () => {
    const res = await runCli(['version'])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/v\d+\.\d+\.\d+/)
  })
})
