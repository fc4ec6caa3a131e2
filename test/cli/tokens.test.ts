import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { registerTokenCommands } from '../../src/cli/tokens.js'
import { FakeServer, decodeBasic, runCommands } from '../support/fake-http.js'

const server = new FakeServer()
const run = (args: string[]) => runCommands(registerTokenCommands, args)
const ep = (): string[] => ['--endpoint', server.url]
const lines = (text: string): string[] => text.trimEnd().split('\n')
const form = (i = 0): Record<string, string> => Object.fromEntries(new URLSearchParams(server.requests[i]?.body ?? ''))

const ACTIVE = {
  active: true,
  client_id: 'cc-client',
  exp: 1666958174,
  iat: 1666954574,
  iss: 'http://127.0.0.1:4444',
  nbf: 1666954574,
  scope: 'read write',
  sub: 'cc-client',
  token_type: 'Bearer',
  token_use: 'access_token',
}

beforeAll(() => server.start())
afterAll(() => server.stop())
beforeEach(() => {
  server.reset()
  for (const name of ['ORY_SDK_URL', 'HYDRA_ADMIN_URL', 'HYDRA_PUBLIC_URL', 'OAUTH2_CLIENT_ID', 'OAUTH2_CLIENT_SECRET']) vi.stubEnv(name, '')
})
afterEach(() => vi.unstubAllEnvs())

describe('introspect token', () => {
  it('posts the token to the admin endpoint and prints the table', async () => {
    server.reply = () => ({ status: 200, body: ACTIVE })
    const r = await run(['introspect', 'token', 'ory_at_x.y', ...ep()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'ACTIVE      true',
      'SUBJECT     cc-client',
      'CLIENT ID   cc-client',
      'SCOPE       read write',
      'EXPIRY      2022-10-28 11:56:14 +0000 UTC',
      'TOKEN USE   access_token',
    ])
    const [req] = server.requests
    expect(req?.method).toBe('POST')
    expect(req?.url).toBe('/admin/oauth2/introspect')
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(req?.headers.authorization).toBeUndefined()
    expect(form()).toEqual({ token: 'ory_at_x.y' })
  })

  it('shows an inactive token as Hydra does: ACTIVE false, empty values, the epoch', async () => {
    server.reply = () => ({ status: 200, body: { active: false } })
    const r = await run(['introspect', 'token', 'nope', ...ep()])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'ACTIVE      false',
      'SUBJECT',
      'CLIENT ID',
      'SCOPE',
      'EXPIRY      1970-01-01 00:00:00 +0000 UTC',
      'TOKEN USE',
    ])
  })

  it('sends repeated or comma-separated --scope space-joined', async () => {
    server.reply = () => ({ status: 200, body: ACTIVE })
    await run(['introspect', 'token', 't', ...ep(), '--scope', 'read,write', '--scope', 'admin'])
    expect(form()).toEqual({ token: 't', scope: 'read write admin' })
  })

  it('prints the response itself with --format json-pretty', async () => {
    server.reply = () => ({ status: 200, body: ACTIVE })
    const r = await run(['introspect', 'token', 't', ...ep(), '--format', 'json-pretty'])
    expect(JSON.parse(r.stdout)).toEqual(ACTIVE)
    expect(r.stdout).toContain('\n  "active": true,')
  })

  it('uses HYDRA_ADMIN_URL, not HYDRA_PUBLIC_URL', async () => {
    server.reply = () => ({ status: 200, body: ACTIVE })
    vi.stubEnv('HYDRA_PUBLIC_URL', 'http://127.0.0.1:1')
    vi.stubEnv('HYDRA_ADMIN_URL', server.url)
    const r = await run(['introspect', 'token', 't'])
    expect(r.code).toBe(0)
    expect(server.requests).toHaveLength(1)
  })

  it('reports an error on one line', async () => {
    server.reply = () => ({ status: 415, body: { error: 'invalid_request', error_description: 'The request body has an unsupported content type.' } })
    const r = await run(['introspect', 'token', 't', ...ep()])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Error: 415 invalid_request: The request body has an unsupported content type.\n')
  })
})

describe('revoke token', () => {
  it('posts the token with client_secret_basic and echoes it as the ID, as Hydra does', async () => {
    server.reply = () => ({ status: 200, raw: '' })
    const r = await run(['revoke', 'token', 'ory_at_x.y', '--client-id', 'c 1', '--client-secret', 's:2', ...ep()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('ID   ory_at_x.y\n')
    const [req] = server.requests
    expect(req?.url).toBe('/oauth2/revoke')
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(decodeBasic(req?.headers.authorization)).toEqual({ id: 'c 1', secret: 's:2' })
    expect(form()).toEqual({ token: 'ory_at_x.y' })

    const json = await run(['revoke', 'token', 'ory_at_x.y', '--client-id', 'c', '--client-secret', 's', ...ep(), '--format', 'json'])
    expect(JSON.parse(json.stdout)).toBe('ory_at_x.y')
  })

  it('takes the credentials from the environment', async () => {
    server.reply = () => ({ status: 200, raw: '' })
    vi.stubEnv('OAUTH2_CLIENT_ID', 'env-id')
    vi.stubEnv('OAUTH2_CLIENT_SECRET', 'env-secret')
    const r = await run(['revoke', 'token', 't', ...ep()])
    expect(r.code).toBe(0)
    expect(decodeBasic(server.requests[0]?.headers.authorization)).toEqual({ id: 'env-id', secret: 'env-secret' })
  })

  it('requires client credentials and sends nothing without them', async () => {
    const r = await run(['revoke', 'token', 't', ...ep()])
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toContain('--client-id and --client-secret')
    expect(server.requests).toHaveLength(0)
  })

  it('reports a rejected client on one line, printing nothing on stdout', async () => {
    server.reply = () => ({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } })
    const r = await run(['revoke', 'token', 't', '--client-id', 'c', '--client-secret', 'top-secret', ...ep()])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('Error: 401 invalid_client: Client authentication failed.\n')
  })
})

describe('delete access-tokens', () => {
  it("calls Hydra's DELETE /admin/oauth2/tokens?client_id= and echoes the client id", async () => {
    server.reply = () => ({ status: 204 })
    const r = await run(['delete', 'access-tokens', 'my client/1', ...ep()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual(['ID   my client/1'])
    const [req] = server.requests
    expect(req?.method).toBe('DELETE')
    expect(req?.url).toBe('/admin/oauth2/tokens?client_id=my+client%2F1')
    const json = await run(['delete', 'access-tokens', 'c1', ...ep(), '--format', 'json'])
    expect(json.stdout).toBe('"c1"\n')
  })

  it('reports a server error in one line and exits 1', async () => {
    server.reply = () => ({ status: 400, body: { error: 'invalid_request', error_description: "Query parameter 'client_id' is not defined but it should have been." } })
    const r = await run(['delete', 'access-tokens', 'x', ...ep()])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr)).toEqual(["Error: 400 invalid_request: Query parameter 'client_id' is not defined but it should have been."])
  })
})
