// `npm run dev`, Ctrl-C, `npm run dev` again: the built binary in --dev without SECRETS_SYSTEM
// keeps its secret beside the SQLite file, so clients, keys and tokens survive the restart.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startServerProcess, type ServerProcess } from '../support/cli.js'

const ENV = { OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000' }

describe('--dev restart on the default SQLite file without SECRETS_SYSTEM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orthrus-dev-restart-'))
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps the client, its secret, the signing keys and issued tokens', async () => {
    server = await startServerProcess(['--dev'], ENV, dir)
    const secretFile = join(dir, 'orthrus.sqlite.secret')
    expect(statSync(secretFile).mode & 0o777).toBe(0o600)
    expect(server.logs()).toContain(`generated a development secret and saved it to ${secretFile}`)

    const created = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--grant-type', 'client_credentials', '--format', 'json'])
    expect(created.code).toBe(0)
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
    const credentials = ['--client-id', client.client_id, '--client-secret', client.client_secret]
    const issued = await runCli(['perform', 'client-credentials', ...credentials, '--endpoint', server.publicUrl, '--format', 'json'])
    expect(issued.code).toBe(0)
    const token = (JSON.parse(issued.stdout) as { access_token: string }).access_token
    const jwksBefore = await (await fetch(`${server.publicUrl}/.well-known/jwks.json`)).json()

    // Ctrl-C, then the same command again.
    expect(await server.stop('SIGINT')).toBe(0)
    server = await startServerProcess(['--dev'], ENV, dir)
    expect(server.logs()).toContain(`using the development secret saved in ${secretFile}`)
    expect(server.logs()).not.toContain('cannot decrypt')

    const fetched = await runCli(['get', 'oauth2-client', client.client_id, '--endpoint', server.adminUrl, '--format', 'json'])
    expect(fetched.code).toBe(0)
    expect(JSON.parse(fetched.stdout)).toMatchObject({ client_id: client.client_id })
    const introspected = await runCli(['introspect', 'token', token, '--endpoint', server.adminUrl, '--format', 'json'])
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, client_id: client.client_id })
    expect(await (await fetch(`${server.publicUrl}/.well-known/jwks.json`)).json()).toEqual(jwksBefore)
    const again = await runCli(['perform', 'client-credentials', ...credentials, '--endpoint', server.publicUrl])
    expect(again.code).toBe(0)
  }, 120_000)
})
