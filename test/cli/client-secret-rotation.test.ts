// `orthrus rotate oauth2-client-secret` and `orthrus delete oauth2-client-rotated-secrets`
// against Orthrus on 127.0.0.1 (SQLite): the new secret is printed once, the old one keeps
// working at the token endpoint until the rotated secrets are deleted.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { registerClientCommands } from '../../src/cli/clients.js'
import { testDatabases } from '../support/databases.js'
import { runCommands } from '../support/fake-http.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

describe('rotate oauth2-client-secret / delete oauth2-client-rotated-secrets', () => {
  let srv: SocketServer
  beforeAll(async () => {
    srv = await startSocketServer(testDatabases()[0]!)
    for (const name of ['ORY_SDK_URL', 'HYDRA_ADMIN_URL', 'HYDRA_PUBLIC_URL']) vi.stubEnv(name, '')
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await srv.close()
  })

  const run = (args: string[]) => runCommands(registerClientCommands, [...args, '--endpoint', srv.adminUrl])
  const tokenStatus = async (id: string, secret: string): Promise<number> => {
    const res = await fetch(`${srv.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
    })
    return res.status
  }

  it('rotates, printing the new secret once, and deletes the rotated secrets', async () => {
    const created = await run(['create', 'oauth2-client', '--grant-type', 'client_credentials', '--token-endpoint-auth-method', 'client_secret_post', '--format', 'json'])
    expect(created.code).toBe(0)
    const { client_id: id, client_secret: first } = JSON.parse(created.stdout) as { client_id: string; client_secret: string }

    const rotated = await run(['rotate', 'oauth2-client-secret', id, '--format', 'json'])
    expect(rotated.code, rotated.stderr).toBe(0)
    const second = (JSON.parse(rotated.stdout) as { client_secret: string }).client_secret
    expect(second).toMatch(/^.{26}$/)
    expect(await tokenStatus(id, first)).toBe(200)
    expect(await tokenStatus(id, second)).toBe(200)

    const table = await run(['rotate', 'oauth2-client-secret', id])
    expect(table.stdout).toMatch(/^CLIENT SECRET\s+\S{26}$/m)

    const deleted = await run(['delete', 'oauth2-client-rotated-secrets', id, '--format', 'json'])
    expect(deleted.code, deleted.stderr).toBe(0)
    const after = JSON.parse(deleted.stdout) as Record<string, unknown>
    expect(after).toMatchObject({ client_id: id })
    expect(after.client_secret).toBeUndefined()
    expect(await tokenStatus(id, first)).toBe(401)
    expect(await tokenStatus(id, second)).toBe(401)
  })

  it('reports a client without a secret to rotate, and an unknown one, in one line with exit 1', async () => {
    const pub = await run(['create', 'oauth2-client', '--token-endpoint-auth-method', 'none', '--redirect-uri', 'http://127.0.0.1:9/cb', '--format', 'json'])
    const id = (JSON.parse(pub.stdout) as { client_id: string }).client_id
    const r = await run(['rotate', 'oauth2-client-secret', id])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: 400 invalid_request: .*"none" authentication method.*\n$/)
    const missing = await run(['delete', 'oauth2-client-rotated-secrets', 'no-such-client'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('404')
  })
})
