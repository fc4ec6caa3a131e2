import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { registerPerformClientCredentials, tokenResult } from '../../src/cli/perform/client-credentials.js'
import { goTime } from '../../src/cli/tokens.js'
import { FakeServer, decodeBasic, runCommands } from '../support/fake-http.js'

const server = new FakeServer()
const run = (args: string[]) => runCommands(registerPerformClientCredentials, ['perform', 'client-credentials', ...args])
const ep = (): string[] => ['--endpoint', server.url]
const creds = ['--client-id', 'my-client', '--client-secret', 'my-secret']
const lines = (text: string): string[] => text.trimEnd().split('\n')
const form = (i = 0): Record<string, string> => Object.fromEntries(new URLSearchParams(server.requests[i]?.body ?? ''))

const ACCESS = 'ory_at_abc.def'

beforeAll(() => server.start())
afterAll(() => server.stop())
beforeEach(() => {
  server.reset()
  server.reply = () => ({ status: 200, body: { access_token: ACCESS, expires_in: 3599, scope: '', token_type: 'bearer' } })
  for (const name of ['ORY_SDK_URL', 'HYDRA_ADMIN_URL', 'HYDRA_PUBLIC_URL', 'OAUTH2_CLIENT_ID', 'OAUTH2_CLIENT_SECRET']) vi.stubEnv(name, '')
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.useRealTimers()
})

describe('goTime', () => {
  it("formats like Go's time.Time.String() in UTC", () => {
    expect(goTime(new Date('2022-10-28T11:56:14.400Z'))).toBe('2022-10-28 11:56:14 +0000 UTC')
    expect(goTime(new Date(0))).toBe('1970-01-01 00:00:00 +0000 UTC')
  })
})

describe('perform client-credentials', () => {
  it('posts grant_type=client_credentials with client_secret_basic and prints the quickstart table', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2022-10-28T10:56:15.200Z') })
    const r = await run([...creds, ...ep()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([
      `ACCESS TOKEN   ${ACCESS}`,
      'ID TOKEN       <empty>',
      'EXPIRY         2022-10-28 11:56:14 +0000 UTC',
    ])
    const [req] = server.requests
    expect(req?.method).toBe('POST')
    expect(req?.url).toBe('/oauth2/token')
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(decodeBasic(req?.headers.authorization)).toEqual({ id: 'my-client', secret: 'my-secret' })
    expect(form()).toEqual({ grant_type: 'client_credentials' })
  })

  it('form-encodes the id and secret before base64 (RFC 6749 §2.3.1)', async () => {
    await run(['--client-id', 'a:b c', '--client-secret', 'p+w/%:d é', ...ep()])
    const header = server.requests[0]?.headers.authorization ?? ''
    const raw = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')
    expect(raw).toBe('a%3Ab+c:p%2Bw%2F%25%3Ad+%C3%A9')
    expect(decodeBasic(header)).toEqual({ id: 'a:b c', secret: 'p+w/%:d é' })
  })

  it('sends repeated and comma-separated scopes and audiences space-joined', async () => {
    await run([...creds, ...ep(), '--scope', 'read,write', '--scope', 'admin', '--audience', 'https://api.a,https://api.b', '--audience', 'x'])
    expect(form()).toEqual({ grant_type: 'client_credentials', scope: 'read write admin', audience: 'https://api.a https://api.b x' })
  })

  it('shows the refresh and ID tokens when the server returns them', async () => {
    server.reply = () => ({ status: 200, body: { access_token: ACCESS, refresh_token: 'ory_rt_x', id_token: 'eyJ.a.b', expires_in: 60, token_type: 'bearer' } })
    const r = await run([...creds, ...ep()])
    expect(lines(r.stdout).map((l) => l.split(/\s{3,}/)[0])).toEqual(['ACCESS TOKEN', 'REFRESH TOKEN', 'ID TOKEN', 'EXPIRY'])
    expect(r.stdout).toContain('REFRESH TOKEN   ory_rt_x')
    expect(r.stdout).toContain('ID TOKEN        eyJ.a.b')
  })

  it('prints the token response plus expiry in the JSON and YAML formats', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2022-10-28T10:56:15.000Z') })
    const json = await run([...creds, ...ep(), '--format', 'json'])
    expect(JSON.parse(json.stdout)).toEqual({
      access_token: ACCESS,
      expires_in: 3599,
      scope: '',
      token_type: 'bearer',
      expiry: '2022-10-28T11:56:14.000Z',
    })
    const pretty = await run([...creds, ...ep(), '--format', 'json-pretty'])
    expect(pretty.stdout).toContain('\n  "access_token": ')
    const yaml = await run([...creds, ...ep(), '--format', 'yaml'])
    expect(parseYaml(yaml.stdout)).toMatchObject({ access_token: ACCESS, expiry: '2022-10-28T11:56:14.000Z' })
  })

  it('takes the credentials from OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET', async () => {
    vi.stubEnv('OAUTH2_CLIENT_ID', 'env-client')
    vi.stubEnv('OAUTH2_CLIENT_SECRET', 'env-secret')
    const r = await run(ep())
    expect(r.code).toBe(0)
    expect(decodeBasic(server.requests[0]?.headers.authorization)).toEqual({ id: 'env-client', secret: 'env-secret' })
  })

  it('falls back to HYDRA_PUBLIC_URL and keeps its base path', async () => {
    vi.stubEnv('HYDRA_PUBLIC_URL', `${server.url}/hydra/`)
    await run(creds)
    expect(server.requests[0]?.url).toBe('/hydra/oauth2/token')
  })

  it('fails with one line and exit 1 when the credentials are missing, sending nothing', async () => {
    const r = await run(['--client-id', 'only-id', ...ep()])
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/^Error: please provide a client ID and secret/)
    expect(server.requests).toHaveLength(0)
  })

  it('reports an OAuth error on one line without echoing the secret', async () => {
    server.reply = () => ({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).' },
    })
    const r = await run([...creds, ...ep()])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr)).toEqual([
      'Error: could not retrieve an access token: 401 invalid_client: Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
    ])
    expect(r.stderr).not.toContain('my-secret')
  })

  it('reports a server that cannot be reached and a response without access_token', async () => {
    const down = await run([...creds, '--endpoint', 'http://127.0.0.1:1'])
    expect(down.code).toBe(1)
    expect(lines(down.stderr)).toHaveLength(1)
    expect(down.stderr).toContain('could not reach http://127.0.0.1:1')

    server.reply = () => ({ status: 200, body: { token_type: 'bearer' } })
    const empty = await run([...creds, ...ep()])
    expect(empty.code).toBe(1)
    expect(empty.stderr).toBe('Error: unexpected response: the token response has no access_token\n')
  })
})

describe('tokenResult', () => {
  it('leaves expiry out when the server sends no expires_in', () => {
    expect(tokenResult({ access_token: 'x' }, new Date())).toEqual({ access_token: 'x' })
  })
})
