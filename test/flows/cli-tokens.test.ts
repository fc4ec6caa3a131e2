// The quickstart's client-credentials steps with the built binary against a real server:
// create a client, get a token, introspect it, revoke it, and find it inactive.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startServerProcess, type ServerProcess } from '../support/cli.js'

const SECRET = 'cli-tokens-system-secret-0123456789'

describe('perform client-credentials, introspect token and revoke token', () => {
  let dir: string
  let server: ServerProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-cli-tokens-'))
    server = await startServerProcess(['--dev'], { SECRETS_SYSTEM: SECRET, OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000' }, dir)
  })
  afterAll(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('walks the tutorial end to end', async () => {
    const created = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--name', 'Client Credentials Demo', '--grant-type', 'client_credentials'])
    expect(created.code).toBe(0)
    const id = /CLIENT ID\s+(\S+)/.exec(created.stdout)?.[1] ?? ''
    const secret = /CLIENT SECRET\s+(\S+)/.exec(created.stdout)?.[1] ?? ''
    const creds = ['--client-id', id, '--client-secret', secret]

    const performed = await runCli(['perform', 'client-credentials', ...creds, '--endpoint', server.publicUrl])
    expect(performed.stderr).toBe('')
    expect(performed.code).toBe(0)
    const rows = performed.stdout.trimEnd().split('\n')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatch(/^ACCESS TOKEN {3}ory_at_[\w-]+\.[\w-]+$/)
    expect(rows[1]).toBe('ID TOKEN       <empty>')
    expect(rows[2]).toMatch(/^EXPIRY {9}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/)
    const token = /ory_at_\S+/.exec(rows[0] ?? '')?.[0] ?? ''

    const introspected = await runCli(['introspect', 'token', token, '--endpoint', server.adminUrl])
    expect(introspected.code).toBe(0)
    expect(introspected.stdout).toMatch(/^ACTIVE {6}true$/m)
    expect(introspected.stdout).toContain(`SUBJECT     ${id}`)
    expect(introspected.stdout).toContain(`CLIENT ID   ${id}`)
    expect(introspected.stdout).toMatch(/^TOKEN USE {3}access_token$/m)

    const json = await runCli(['introspect', 'token', token, '--endpoint', server.adminUrl, '--format', 'json-pretty'])
    expect(JSON.parse(json.stdout)).toMatchObject({ active: true, client_id: id, sub: id, token_type: 'Bearer', token_use: 'access_token' })

    const revoked = await runCli(['revoke', 'token', token, ...creds, '--endpoint', server.publicUrl])
    expect(revoked.stderr).toBe('')
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toBe(`ID   ${token}\n`)

    const after = await runCli(['introspect', 'token', token, '--endpoint', server.adminUrl])
    expect(after.stdout).toMatch(/^ACTIVE {6}false$/m)
  })

  it("deletes a client's tokens with delete access-tokens", async () => {
    const created = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--grant-type', 'client_credentials', '--format', 'json'])
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
    const creds = ['--client-id', client.client_id, '--client-secret', client.client_secret]
    const tokens: string[] = []
    for (let i = 0; i < 2; i++) {
      const issued = await runCli(['perform', 'client-credentials', ...creds, '--endpoint', server.publicUrl, '--format', 'json'])
      tokens.push((JSON.parse(issued.stdout) as { access_token: string }).access_token)
    }
    const deleted = await runCli(['delete', 'access-tokens', client.client_id, '--endpoint', server.adminUrl])
    expect(deleted.stderr).toBe('')
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe(`ID   ${client.client_id}\n`)
    for (const token of tokens) {
      const after = await runCli(['introspect', 'token', token, '--endpoint', server.adminUrl, '--format', 'json'])
      expect(JSON.parse(after.stdout)).toEqual({ active: false })
    }
  })

  it('fails with one line for a wrong secret, without echoing it', async () => {
    const created = await runCli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--grant-type', 'client_credentials'])
    const id = /CLIENT ID\s+(\S+)/.exec(created.stdout)?.[1] ?? ''
    const res = await runCli(['perform', 'client-credentials', '--client-id', id, '--client-secret', 'not-the-secret-xyz', '--endpoint', server.publicUrl])
    expect(res.code).toBe(1)
    expect(res.stdout).toBe('')
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain('invalid_client')
    expect(res.stderr).not.toContain('not-the-secret-xyz')
  })
})
