import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { registerClientCommands, verb } from '../../src/cli/clients.js'
import { joinUrl, parseNextPageToken, resolveEndpoint } from '../../src/cli/endpoint.js'
import { runCommands, startLocalServer, type RunResult } from '../support/fake-http.js'

interface Recorded {
  method: string
  url: string
  body: unknown
}

type Client = Record<string, unknown>

// A stand-in for the admin API that answers as the contract says and records every request.
class FakeAdmin {
  readonly requests: Recorded[] = []
  readonly clients = new Map<string, Client>()
  private next = 1
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  reset(): void {
    this.requests.length = 0
    this.clients.clear()
    this.next = 1
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = ''
    for await (const chunk of req) raw += String(chunk)
    const body: unknown = raw === '' ? undefined : JSON.parse(raw)
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', body })
    const url = new URL(req.url ?? '/', 'http://fake')
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(payload === undefined ? '' : JSON.stringify(payload))
    }
    const fail = (status: number, error: string, description: string): void =>
      send(status, { error, error_description: description, status_code: status })

    if (url.pathname === '/admin/clients' && req.method === 'POST') {
      const input = body as Client
      if (input['client_name'] === 'rejected') return fail(400, 'invalid_client_metadata', 'the name is not allowed')
      const id = typeof input['client_id'] === 'string' ? input['client_id'] : `client-${this.next++}`
      if (this.clients.has(id)) return fail(409, 'Conflict', 'Unable to insert or update resource because a resource with that value exists already')
      const client: Client = { scope: 'offline_access offline openid', grant_types: ['authorization_code'], ...input, client_id: id }
      const { client_secret: _s, ...stored } = client
      this.clients.set(id, stored)
      return send(201, { ...client, client_secret: input['client_secret'] ?? `generated-${id}` })
    }
    if (url.pathname === '/admin/clients' && req.method === 'GET') {
      const all = [...this.clients.values()]
      const size = Number(url.searchParams.get('page_size') ?? 250)
      const offset = Number(url.searchParams.get('page_token') ?? 0)
      const headers: Record<string, string> = { 'x-total-count': String(all.length) }
      const links = [`</admin/clients?page_size=${size}&page_token=0>; rel="first"`]
      if (offset + size < all.length) links.push(`</admin/clients?page_size=${size}&page_token=${offset + size}>; rel="next"`)
      headers['link'] = links.join(',')
      return send(200, all.slice(offset, offset + size), headers)
    }
    const id = decodeURIComponent(url.pathname.replace(/^\/admin\/clients\//, ''))
    if (id === 'broken-proxy') {
      res.writeHead(502, { 'content-type': 'text/html' })
      return void res.end('<html>bad gateway</html>')
    }
    const existing = this.clients.get(id)
    if (!existing) return fail(404, 'Not Found', 'Unable to locate the resource')
    if (req.method === 'GET') return send(200, existing)
    if (req.method === 'DELETE') {
      this.clients.delete(id)
      return send(204)
    }
    if (req.method === 'PUT') {
      const updated = { ...(body as Client), client_id: id }
      this.clients.set(id, updated)
      return send(200, { ...updated, client_secret: 'echoed-secret' })
    }
    send(405, { error: 'method_not_allowed', status_code: 405 })
  }
}

const run = (args: string[], stdin = ''): Promise<RunResult> => runCommands(registerClientCommands, args, stdin)

const admin = new FakeAdmin()
const ep = (): string[] => ['--endpoint', admin.url]
const lines = (text: string): string[] => text.trimEnd().split('\n')

beforeAll(() => admin.start())
afterAll(() => admin.stop())
beforeEach(() => {
  admin.reset()
  for (const name of ['ORY_SDK_URL', 'HYDRA_ADMIN_URL', 'HYDRA_PUBLIC_URL']) vi.stubEnv(name, '')
})
afterEach(() => vi.unstubAllEnvs())

describe('create oauth2-client', () => {
  it('prints the quickstart table: CLIENT ID, CLIENT SECRET, GRANT TYPES, SCOPE first, aligned', async () => {
    const r = await run(['create', 'oauth2-client', ...ep(), '--name', 'Client Credentials Demo', '--grant-type', 'client_credentials'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(lines(r.stdout).slice(0, 4)).toEqual([
      'CLIENT ID       client-1',
      'CLIENT SECRET   generated-client-1',
      'GRANT TYPES     client_credentials',
      'SCOPE           offline_access offline openid',
    ])
    expect(admin.requests).toEqual([
      {
        method: 'POST',
        url: '/admin/clients',
        body: { client_name: 'Client Credentials Demo', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' },
      },
    ])
  })

  it('accepts repeated and comma-separated values and maps every flag to its field', async () => {
    const r = await run([
      'create', 'client', ...ep(),
      '-g', 'authorization_code,refresh_token', '--grant-type', 'client_credentials',
      '-r', 'code', '--response-type', 'id_token,token',
      '--redirect-uri', 'http://127.0.0.1:4446/callback', '--redirect-uri', 'https://app.example/cb',
      '--scope', 'openid,offline', '--scope', 'email profile',
      '--audience', 'api-a,api-b', '--allowed-cors-origin', 'https://app.example',
      '--post-logout-callback', 'https://app.example/bye', '--contact', 'ops@example.com',
      '--token-endpoint-auth-method', 'client_secret_post', '--secret', 'a-long-secret',
      '--owner', 'team-a', '--subject-type', 'pairwise', '--sector-identifier-uri', 'https://app.example/sector',
      '--frontchannel-logout-callback', 'https://app.example/fc', '--frontchannel-logout-session-required',
      '--backchannel-logout-callback', 'https://app.example/bc', '--request-uri', 'https://app.example/r',
      '--metadata', '{"tier":"gold"}', '--skip-consent', '--access-token-strategy', 'jwt',
    ])
    expect(r.stderr).toBe('')
    expect(admin.requests[0]?.body).toEqual({
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code', 'id_token', 'token'],
      redirect_uris: ['http://127.0.0.1:4446/callback', 'https://app.example/cb'],
      scope: 'openid offline email profile',
      audience: ['api-a', 'api-b'],
      allowed_cors_origins: ['https://app.example'],
      post_logout_redirect_uris: ['https://app.example/bye'],
      contacts: ['ops@example.com'],
      token_endpoint_auth_method: 'client_secret_post',
      client_secret: 'a-long-secret',
      owner: 'team-a',
      subject_type: 'pairwise',
      sector_identifier_uri: 'https://app.example/sector',
      frontchannel_logout_uri: 'https://app.example/fc',
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: 'https://app.example/bc',
      request_uris: ['https://app.example/r'],
      metadata: { tier: 'gold' },
      skip_consent: true,
      access_token_strategy: 'jwt',
    })
    expect(lines(r.stdout)[2]).toBe('GRANT TYPES      authorization_code, refresh_token, client_credentials')
    expect(r.stdout).toContain('REDIRECT URIS    http://127.0.0.1:4446/callback, https://app.example/cb\n')
  })

  it('prints json, json-pretty, yaml and jsonpath', async () => {
    const json = await run(['create', 'oauth2-client', ...ep(), '--format', 'json'])
    expect(json.stdout.endsWith('}\n') && !json.stdout.includes('\n{')).toBe(true)
    expect(JSON.parse(json.stdout)).toMatchObject({ client_id: 'client-1', client_secret: 'generated-client-1' })
    const pretty = await run(['create', 'oauth2-client', ...ep(), '--format', 'json-pretty'])
    expect(pretty.stdout).toContain('\n  "client_id": "client-2",\n')
    const yaml = await run(['create', 'oauth2-client', ...ep(), '--format', 'yaml'])
    expect(yaml.stdout).toContain('client_id: client-3\n')
    const path = await run(['create', 'oauth2-client', ...ep(), '--format', 'jsonpath={.client_id}'])
    expect(path.stdout).toBe('client-4\n')
  })

  it('rejects invalid --metadata and unknown --format before sending anything', async () => {
    const bad = await run(['create', 'oauth2-client', ...ep(), '--metadata', '{nope'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^Error: --metadata is not valid JSON: .+\n$/)
    const fmt = await run(['create', 'oauth2-client', ...ep(), '--format', 'xml'])
    expect(fmt.stderr).toMatch(/^Error: unknown --format "xml"/)
    expect(admin.requests).toEqual([])
  })

  it('shows an API error as one line with status, error and description', async () => {
    const r = await run(['create', 'oauth2-client', ...ep(), '--name', 'rejected'])
    expect(r).toEqual({ stdout: '', stderr: 'Error: 400 invalid_client_metadata: the name is not allowed\n', code: 1 })
  })
})

describe('get / list / update', () => {
  beforeEach(async () => {
    for (const name of ['one', 'two', 'three']) await run(['create', 'client', ...ep(), '--name', name])
    admin.requests.length = 0
  })

  it('gets one client as a KEY VALUE table without any secret, several as a list', async () => {
    const one = await run(['get', 'oauth2-client', ...ep(), 'client-1'])
    expect(lines(one.stdout)[0]).toBe('CLIENT ID     client-1')
    expect(one.stdout).not.toContain('SECRET')
    const many = await run(['get', 'clients', ...ep(), 'client-1', 'client-2', '--format', 'json'])
    expect((JSON.parse(many.stdout) as Client[]).map((c) => c['client_name'])).toEqual(['one', 'two'])
  })

  it('reports a missing client as one line and exits 1', async () => {
    const r = await run(['get', 'client', ...ep(), 'nope'])
    expect(r).toEqual({ stdout: '', stderr: 'Error: 404 Not Found: Unable to locate the resource\n', code: 1 })
  })

  it('falls back to the status text for non-JSON errors', async () => {
    const r = await run(['get', 'client', ...ep(), 'broken-proxy'])
    expect(r.stderr).toBe('Error: 502 Bad Gateway\n')
    expect(r.code).toBe(1)
  })

  it('pages with --page-size / --page-token and prints NEXT PAGE TOKEN', async () => {
    const first = await run(['list', 'oauth2-clients', ...ep(), '--page-size', '2'])
    expect(admin.requests[0]?.url).toBe('/admin/clients?page_size=2')
    const out = lines(first.stdout)
    expect(out[0]).toMatch(/^CLIENT ID\s+CLIENT NAME\s+GRANT TYPES\s+RESPONSE TYPES\s+SCOPE\s+AUDIENCE\s+REDIRECT URIS$/)
    expect(out.slice(1, 3).map((l) => l.split(/\s{3,}/)[1])).toEqual(['one', 'two'])
    expect(out.at(-1)).toBe('NEXT PAGE TOKEN   2')

    const last = await run(['list', 'clients', ...ep(), '--page-size', '2', '--page-token', '2'])
    expect(admin.requests[1]?.url).toBe('/admin/clients?page_size=2&page_token=2')
    expect(last.stdout).not.toContain('NEXT PAGE TOKEN')
    expect(lines(last.stdout)).toHaveLength(2)

    const json = await run(['list', 'oauth2-client', ...ep(), '--page-size', '1', '--format', 'json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ items: [{ client_id: 'client-1' }], next_page_token: '1' })
    expect(admin.requests.at(-1)?.url).toBe('/admin/clients?page_size=1')
  })

  it('uses page size 100 by default and validates --page-size', async () => {
    await run(['list', 'oauth2-clients', ...ep()])
    expect(admin.requests[0]?.url).toBe('/admin/clients?page_size=100')
    const bad = await run(['list', 'oauth2-clients', ...ep(), '--page-size', '0'])
    expect(bad.stderr).toMatch(/^Error: --page-size must be an integer from 1 to 1000/)
  })

  it('update PUTs the client the flags describe and never prints the secret', async () => {
    const r = await run(['update', 'oauth2-client', 'client-2', ...ep(), '--name', 'renamed', '-g', 'client_credentials', '--secret', 'new-secret'])
    expect(admin.requests[0]).toEqual({
      method: 'PUT',
      url: '/admin/clients/client-2',
      body: { client_id: 'client-2', client_name: 'renamed', grant_types: ['client_credentials'], client_secret: 'new-secret', token_endpoint_auth_method: 'client_secret_basic' },
    })
    expect(r.stdout).toContain('CLIENT NAME   renamed\n')
    expect(r.stdout).not.toMatch(/secret/i)
  })
})

describe('delete oauth2-client', () => {
  it('deletes several ids, printing each; a failure is reported by id and exits 1', async () => {
    for (let i = 0; i < 2; i++) await run(['create', 'client', ...ep()])
    const r = await run(['delete', 'oauth2-clients', ...ep(), 'client-1', 'missing', 'client-2'])
    expect(r.stdout).toBe('client-1\nclient-2\n')
    expect(r.stderr).toBe('Error: could not delete client missing: 404 Not Found: Unable to locate the resource\n')
    expect(r.code).toBe(1)
    expect(admin.clients.size).toBe(0)
    const ok = await run(['delete', 'client', ...ep(), '--format', 'json', 'nothing-left'])
    expect(ok.stdout).toBe('[]\n')
  })
})

describe('import oauth2-client', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orthrus-cli-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('imports arrays and objects from files and shows the secrets', async () => {
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.json')
    await writeFile(a, JSON.stringify([{ client_id: 'imp-1', client_name: 'A' }, { client_name: 'B' }]))
    await writeFile(b, JSON.stringify({ client_id: 'imp-2', client_secret: 'given' }))
    const r = await run(['import', 'oauth2-client', ...ep(), a, b])
    expect(r.code).toBe(0)
    expect(admin.requests.map((q) => q.body)).toEqual([{ client_id: 'imp-1', client_name: 'A' }, { client_name: 'B' }, { client_id: 'imp-2', client_secret: 'given' }])
    const out = lines(r.stdout)
    expect(out[0]).toMatch(/^CLIENT ID\s+CLIENT SECRET\s+CLIENT NAME/)
    expect(out.slice(1).map((l) => l.split(/\s{3,}/).slice(0, 2))).toEqual([
      ['imp-1', 'generated-imp-1'],
      ['client-1', 'generated-client-1'],
      ['imp-2', 'given'],
    ])
  })

  it('reads stdin when no file or "-" is given', async () => {
    const r = await run(['import', 'client', ...ep(), '--format', 'json'], '{"client_id":"from-stdin"}')
    expect((JSON.parse(r.stdout) as Client[])[0]?.['client_id']).toBe('from-stdin')
    const dash = await run(['import', 'client', ...ep(), '-', '--format', 'jsonpath={.client_id}'], '[{"client_id":"dash"}]')
    expect(dash.stdout).toBe('dash\n')
  })

  it('applies --format jsonpath to each imported client, one line each', async () => {
    const r = await run(['import', 'client', ...ep(), '--format', 'jsonpath={.client_secret}'], '[{"client_id":"p1"},{"client_id":"p2"}]')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('generated-p1\ngenerated-p2\n')
  })

  it('sends nothing when any input is not valid JSON', async () => {
    const bad = join(dir, 'bad.json')
    await writeFile(bad, '{"client_id": ')
    const r = await run(['import', 'client', ...ep(), bad])
    expect(r.stderr).toMatch(new RegExp(`^Error: ${bad.replace(/[.\\]/g, '\\$&')} is not valid JSON: .+\n$`))
    expect(r.code).toBe(1)
    const missing = await run(['import', 'client', ...ep(), join(dir, 'none.json')])
    expect(missing.stderr).toMatch(/^Error: cannot read .*none\.json: ENOENT/)
    const scalar = await run(['import', 'client', ...ep()], '[{"client_id":"x"}, 7]')
    expect(scalar.stderr).toBe('Error: stdin: entry 2 is not a JSON object\n')
    const empty = await run(['import', 'client', ...ep()], ' \n')
    expect(empty.stderr).toBe('Error: stdin is empty: expected a client object or an array of them\n')
    expect(admin.requests).toEqual([])
  })

  it('imports the rest when one is rejected, but exits 1 naming the failed one', async () => {
    const r = await run(['import', 'client', ...ep()], '[{"client_id":"ok"},{"client_id":"bad","client_name":"rejected"}]')
    expect(r.stderr).toBe('Error: could not import client 2 of stdin (bad): 400 invalid_client_metadata: the name is not allowed\n')
    expect(r.code).toBe(1)
    expect([...admin.clients.keys()]).toEqual(['ok'])
  })
})

describe('endpoint resolution and connection errors', () => {
  it('falls back to ORY_SDK_URL, then HYDRA_ADMIN_URL', async () => {
    vi.stubEnv('HYDRA_ADMIN_URL', 'http://127.0.0.1:1')
    vi.stubEnv('ORY_SDK_URL', `${admin.url}/`)
    expect((await run(['list', 'clients'])).code).toBe(0)
    vi.stubEnv('ORY_SDK_URL', '')
    vi.stubEnv('HYDRA_ADMIN_URL', admin.url)
    expect((await run(['list', 'clients'])).code).toBe(0)
    expect(admin.requests.map((q) => q.url)).toEqual(['/admin/clients?page_size=100', '/admin/clients?page_size=100'])
  })

  it('fails clearly without an endpoint', async () => {
    const r = await run(['list', 'clients'])
    expect(r).toEqual({ stdout: '', stderr: 'Error: no endpoint: pass --endpoint or set ORY_SDK_URL\n', code: 1 })
  })

  it('reports an unreachable endpoint in one line', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const r = await run(['get', 'client', 'x', '--endpoint', `http://127.0.0.1:${port}`])
    expect(r.stderr).toMatch(new RegExp(`^Error: could not reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`))
    expect(r.code).toBe(1)
  })

  it('reports an answer cut off mid-body in one line', async () => {
    const cut = await startLocalServer((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"client_id":')
      setTimeout(() => res.destroy(), 20)
    })
    try {
      const r = await run(['get', 'client', 'x', '--endpoint', cut.url])
      expect(r.stderr).toBe(`Error: could not read the response from ${cut.url}: the connection closed early\n`)
      expect(r.code).toBe(1)
    } finally {
      await cut.close()
    }
  })

  it('resolves, validates and joins endpoints', () => {
    expect(resolveEndpoint('http://h:4445//', 'admin', {})).toBe('http://h:4445')
    expect(resolveEndpoint(undefined, 'public', { HYDRA_PUBLIC_URL: 'http://pub', HYDRA_ADMIN_URL: 'http://adm' })).toBe('http://pub')
    expect(() => resolveEndpoint('127.0.0.1:4445', 'admin', {})).toThrow(/invalid endpoint/)
    expect(joinUrl('http://h/base/', '/admin/clients')).toBe('http://h/base/admin/clients')
    expect(parseNextPageToken('</admin/clients?page_token=a>; rel="first", </admin/clients?page_size=2&page_token=b%3D>; rel="next"')).toBe('b=')
    expect(parseNextPageToken('</x?page_token=a>; rel="first"')).toBeUndefined()
  })
})

describe('command structure', () => {
  it('lets other modules add nouns to the same verbs', async () => {
    const program = new Command('orthrus')
    registerClientCommands(program)
    const create = verb(program, 'create', 'ignored')
    create.command('jwk')
    expect(program.commands.filter((c) => c.name() === 'create')).toHaveLength(1)
    expect(create.commands.map((c) => c.name())).toEqual(['oauth2-client', 'jwk'])
    expect(create.commands[0]?.aliases()).toEqual(['oauth2-clients', 'client', 'clients'])
  })
})
