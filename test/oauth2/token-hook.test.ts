// The HTTP token hooks (oauth2.token_hook, oauth2.refresh_token_hook) against a hook server on
// 127.0.0.1, and their configuration keys.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { ConfigError } from '../../src/config/types.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { OutboundError, OutboundFetcher, type OutboundRequest, type OutboundResponse } from '../../src/outbound/fetcher.js'
import { HttpTokenHook, tokenHookFromConfig } from '../../src/oauth2/token-hook-http.js'
import { noTokenHook, type TokenHookInput } from '../../src/oauth2/token-hook.js'
import { HookServer, sendJson as json } from '../support/fake-http.js'
import { sampleClient } from '../support/fixtures.js'

const client = sampleClient({ client_id: 'hook-client', grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] })

function input(overrides: Partial<TokenHookInput> = {}): TokenHookInput {
  return {
    grantType: 'authorization_code',
    client,
    subject: 'alice',
    requestedScope: ['openid', 'offline'],
    grantedScope: ['openid', 'offline'],
    requestedAudience: [],
    grantedAudience: ['https://api.example.com'],
    form: { grant_type: 'authorization_code', redirect_uri: 'https://app.example.com/cb', code: 'ory_ac_secret-code' },
    accessTokenClaims: { from_consent: 'a' },
    idTokenClaims: { name: 'Alice' },
    oidc: {
      idTokenExtra: { name: 'Alice' },
      authTime: 1_700_000_000,
      requestedAt: 1_699_999_990,
      acr: '1',
      amr: ['pwd'],
      sid: 'sid-1',
      forcedSubjectIdentifier: '',
    },
    challengeId: 'challenge-1',
    ...overrides,
  }
}

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(OAuthError)
  return err as OAuthError
}

describe('HTTP token hook', () => {
  const server = new HookServer()
  const issuer = 'https://auth.example.com/'
  const hook = (opts: { timeoutMs?: number; maxBytes?: number } = {}) =>
    new HttpTokenHook({ kind: 'token_hook', config: { url: `${server.url}/hook` } }, undefined, { issuer, ...opts })

  beforeAll(async () => server.start())
  afterAll(async () => server.stop())
  afterEach(() => {
    server.seen.length = 0
    server.answer = (_req, res) => res.writeHead(204).end()
  })

  it("POSTs Hydra's payload: the session and the request, never credentials or the client secret", async () => {
    await hook().run(input({ form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'a.b.c', code: 'ory_ac_secret-code' } }))
    expect(server.seen).toHaveLength(1)
    const [call] = server.seen
    expect(call?.path).toBe('/hook')
    expect(call?.headers['content-type']).toMatch(/^application\/json/)
    const body = call?.body as { session: Record<string, unknown>; request: Record<string, unknown> }
    expect(body.session).toMatchObject({
      id_token: {
        id_token_claims: {
          iss: issuer,
          sub: 'alice',
          aud: ['hook-client'],
          acr: '1',
          amr: ['pwd'],
          auth_time: '2023-11-14T22:13:20Z',
          ext: { name: 'Alice' },
        },
        headers: { extra: {} },
        subject: 'alice',
      },
      extra: { from_consent: 'a' },
      client_id: 'hook-client',
      consent_challenge: 'challenge-1',
    })
    expect(body.request).toMatchObject({
      client_id: 'hook-client',
      granted_scopes: ['openid', 'offline'],
      granted_audience: ['https://api.example.com'],
      grant_types: ['authorization_code'],
      // Hydra passes only the jwt-bearer assertion on, as a list like Go's url.Values.
      payload: { assertion: ['a.b.c'] },
    })
    expect(body.request.client).toMatchObject({ client_id: 'hook-client', metadata: { tier: 'gold' } })
    const text = JSON.stringify(body)
    expect(text).not.toContain('secret_hash')
    expect(text).not.toContain('client_secret"')
    expect(text).not.toContain('ory_ac_secret-code')
    expect(body.request.payload).toEqual({ assertion: ['a.b.c'] })
  })

  it('204 keeps the claims as they are', async () => {
    server.answer = (_req, res) => res.writeHead(204).end()
    expect(await hook().run(input())).toEqual({ accessTokenClaims: { from_consent: 'a' }, idTokenClaims: { name: 'Alice' } })
  })

  it("200 replaces the access token's and the ID token's extra claims with the hook's", async () => {
    server.answer = (_req, res) => json(res, 200, { session: { access_token: { tier: 'gold' }, id_token: { email: 'a@example.com' } } })
    expect(await hook().run(input())).toEqual({ accessTokenClaims: { tier: 'gold' }, idTokenClaims: { email: 'a@example.com' } })
  })

  it('200 with only one part empties the other, as Hydra does', async () => {
    server.answer = (_req, res) => json(res, 200, { session: { access_token: { tier: 'gold' } } })
    expect(await hook().run(input())).toEqual({ accessTokenClaims: { tier: 'gold' }, idTokenClaims: {} })
  })

  it('403 denies the token request (access_denied)', async () => {
    server.answer = (_req, res) => json(res, 403, { error: 'nope' })
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'access_denied', status: 403 })
    expect(err.hint).toContain('token hook')
  })

  it("any other status is a server_error that never echoes the hook's answer", async () => {
    server.answer = (_req, res) => json(res, 500, { leaked: 'SECRET-IN-BODY' })
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'server_error', status: 500 })
    expect(err.hint).toContain('did not answer as expected')
    expect(err.hint).not.toContain('500')
    expect(err.debug).toContain('status 500')
    expect(`${err.message} ${err.hint ?? ''} ${err.debug ?? ''}`).not.toContain('SECRET-IN-BODY')
  })

  it('a redirect is not followed: it is a failure', async () => {
    server.answer = (_req, res) => res.writeHead(307, { location: `${server.url}/elsewhere` }).end()
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'server_error' })
    expect(server.seen).toHaveLength(1)
  })

  it('a hook slower than the timeout fails the request', async () => {
    server.answer = (_req, res) => setTimeout(() => res.writeHead(204).end(), 1500).unref()
    const started = Date.now()
    const err = await failure(hook({ timeoutMs: 200 }).run(input()))
    expect(Date.now() - started).toBeLessThan(1400)
    expect(err).toMatchObject({ error: 'server_error' })
    expect(err.hint).toContain('did not answer within 0.2 seconds')
  })

  it("gives the hook Hydra's 10 seconds unless told otherwise", async () => {
    // Stands in for the network: records the deadline it is handed and reports it passed.
    class ExpiringOutbound extends OutboundFetcher {
      readonly deadlines: Array<number | undefined> = []
      override async request(_uri: string, req: OutboundRequest = {}): Promise<OutboundResponse> {
        this.deadlines.push(req.timeoutMs)
        throw new OutboundError('timeout', 'no answer in time')
      }
    }
    const outbound = new ExpiringOutbound()
    const configured = tokenHookFromConfig({ token_hook: { url: `${server.url}/hook` } }, { issuer, outbound })
    const err = await failure(configured.run(input()))
    expect(outbound.deadlines).toEqual([10_000])
    expect(err.hint).toContain('did not answer within 10 seconds')
  })

  it('a hook that stalls in the middle of its answer times out too', async () => {
    server.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"session":')
    }
    const err = await failure(hook({ timeoutMs: 300 }).run(input()))
    expect(err.hint).toContain('did not answer')
  })

  it('an answer that is not JSON fails the request', async () => {
    server.answer = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>SECRET-IN-BODY</html>')
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'server_error' })
    expect(err.hint).toContain('not JSON')
    expect(`${err.message} ${err.hint ?? ''} ${err.debug ?? ''}`).not.toContain('SECRET-IN-BODY')
  })

  it.each([
    ['an array', []],
    ['no session', { access_token: { a: 1 } }],
    ['a string session', { session: 'x' }],
    ['a list of access token claims', { session: { access_token: ['a'] } }],
    ['a number for the ID token claims', { session: { id_token: 5 } }],
  ])('an answer with the wrong shape (%s) fails the request', async (_name, body) => {
    server.answer = (_req, res) => json(res, 200, body)
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'server_error' })
    expect(err.hint).toContain('"session" object')
  })

  it('an answer larger than the limit fails the request', async () => {
    server.answer = (_req, res) => json(res, 200, { session: { access_token: { big: 'x'.repeat(2 * 1024 * 1024) } } })
    const err = await failure(hook().run(input()))
    expect(err).toMatchObject({ error: 'server_error' })
    expect(err.hint).toContain('more than 1048576 bytes')
  })

  it('an unreachable hook fails the request', async () => {
    const closed = new HookServer()
    await closed.start()
    const url = closed.url
    await closed.stop()
    const err = await failure(new HttpTokenHook({ kind: 'token_hook', config: { url } }, undefined, { issuer }).run(input()))
    expect(err).toMatchObject({ error: 'server_error', status: 500 })
    expect(err.hint).toContain('could not be reached')
    expect(err.debug).toContain('ECONNREFUSED')
  })

  it('sends the API key in a header or in a cookie', async () => {
    const withKey = (where: 'header' | 'cookie') =>
      new HttpTokenHook(
        { kind: 'token_hook', config: { url: server.url, auth: { type: 'api_key', config: { name: 'X-Hook-Key', value: 'k3y-value', in: where } } } },
        undefined,
        { issuer },
      )
    await withKey('header').run(input())
    expect(server.seen[0]?.headers['x-hook-key']).toBe('k3y-value')
    expect(server.seen[0]?.headers.cookie).toBeUndefined()
    await withKey('cookie').run(input())
    expect(server.seen[1]?.headers.cookie).toBe('X-Hook-Key=k3y-value')
    expect(server.seen[1]?.headers['x-hook-key']).toBeUndefined()
  })

  it('runs the refresh hook only for refresh_token grants, before the token hook, which sees its claims', async () => {
    server.answer = (req, res) => {
      if (req.path === '/refresh') json(res, 200, { session: { access_token: { step: 'refresh' }, id_token: { step: 'refresh' } } })
      else json(res, 200, { session: { access_token: { seen: (req.body.session as { extra: unknown }).extra }, id_token: {} } })
    }
    const both = tokenHookFromConfig(
      { token_hook: { url: `${server.url}/token` }, refresh_token_hook: { url: `${server.url}/refresh` } },
      { issuer },
    )
    const refreshed = await both.run(input({ grantType: 'refresh_token' }))
    expect(server.seen.map((s) => s.path)).toEqual(['/refresh', '/token'])
    expect(refreshed.accessTokenClaims).toEqual({ seen: { step: 'refresh' } })
    // Hydra's refresh hook request: subject, session, requester and the top-level summary.
    expect(server.seen[0]?.body).toMatchObject({
      subject: 'alice',
      client_id: 'hook-client',
      granted_scopes: ['openid', 'offline'],
      granted_audience: ['https://api.example.com'],
      requester: { client_id: 'hook-client', grant_types: ['refresh_token'] },
      session: { extra: { from_consent: 'a' } },
    })

    server.seen.length = 0
    await both.run(input({ grantType: 'client_credentials' }))
    expect(server.seen.map((s) => s.path)).toEqual(['/token'])

    server.seen.length = 0
    const refreshOnly = tokenHookFromConfig({ refresh_token_hook: { url: `${server.url}/refresh` } }, { issuer })
    expect(await refreshOnly.run(input({ grantType: 'authorization_code' }))).toEqual({
      accessTokenClaims: { from_consent: 'a' },
      idTokenClaims: { name: 'Alice' },
    })
    expect(server.seen).toHaveLength(0)
  })

  it('without a configured hook nothing is called', () => {
    expect(tokenHookFromConfig({}, { issuer })).toBe(noTokenHook)
  })
})

describe('token hook configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ dev: true, env: { DSN: 'memory', ...env } })

  it('takes a URL (Hydra\'s short form) from OAUTH2_TOKEN_HOOK and OAUTH2_REFRESH_TOKEN_HOOK', () => {
    const { config, warnings } = load({ OAUTH2_TOKEN_HOOK: 'https://hooks.example.com/token', OAUTH2_REFRESH_TOKEN_HOOK: 'http://127.0.0.1:9/r' })
    expect(config.oauth2.token_hook).toEqual({ url: 'https://hooks.example.com/token' })
    expect(config.oauth2.refresh_token_hook).toEqual({ url: 'http://127.0.0.1:9/r' })
    expect(warnings.join('\n')).not.toContain('token_hook')
  })

  it('takes the object form, as JSON in the variable or leaf by leaf', () => {
    const full = {
      url: 'https://hooks.example.com/token',
      auth: { type: 'api_key', config: { name: 'X-Key', value: 'the-api-key', in: 'cookie' } },
    }
    expect(load({ OAUTH2_TOKEN_HOOK: JSON.stringify(full) }).config.oauth2.token_hook).toEqual(full)
    const leaves = load({
      OAUTH2_TOKEN_HOOK: 'https://hooks.example.com/token',
      OAUTH2_TOKEN_HOOK_AUTH_TYPE: 'api_key',
      OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME: 'X-Key',
      OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE: 'the-api-key',
      OAUTH2_TOKEN_HOOK_AUTH_CONFIG_IN: 'cookie',
    })
    expect(leaves.config.oauth2.token_hook).toEqual(full)
    expect(load({}).config.oauth2.token_hook).toBeUndefined()
  })

  it("reads Hydra's config file forms", () => {
    const dir = mkdtempSync(join(tmpdir(), 'orthrus-hook-'))
    try {
      const file = join(dir, 'hydra.yaml')
      writeFileSync(
        file,
        [
          'oauth2:',
          '  refresh_token_hook: https://hooks.example.com/refresh',
          '  token_hook:',
          '    url: https://hooks.example.com/token',
          '    auth:',
          '      type: api_key',
          '      config:',
          '        name: X-Key',
          '        value: the-api-key',
          '',
        ].join('\n'),
      )
      const { config, warnings } = loadConfig({ dev: true, file, env: { DSN: 'memory' } })
      expect(config.oauth2.refresh_token_hook).toEqual({ url: 'https://hooks.example.com/refresh' })
      // `in` left out: the hook sends the key as a header.
      expect(config.oauth2.token_hook).toEqual({
        url: 'https://hooks.example.com/token',
        auth: { type: 'api_key', config: { name: 'X-Key', value: 'the-api-key' } },
      })
      expect(warnings.join('\n')).not.toContain('hook')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each([
    ['a URL that is not http(s)', { OAUTH2_TOKEN_HOOK: 'ftp://hooks.example.com' }, /oauth2\.token_hook\.url/],
    ['auth without its config', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', auth: { type: 'api_key' } }) }, /auth\.config\.name is required/],
    ['no url', { OAUTH2_TOKEN_HOOK_AUTH_TYPE: 'api_key' }, /oauth2\.token_hook\.url is required/],
    ['another auth type', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', auth: { type: 'basic', config: { name: 'n', value: 'the-api-key' } } }) }, /must be one of api_key/],
    ['an unknown field', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', timeout: 3 }) }, /unknown key oauth2\.token_hook\.timeout/],
    ['a key that is not a string', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', auth: { type: 'api_key', config: { name: 'n', value: 12345678 } } }) }, /auth\.config\.value must be a string/],
    ['a header name with a space', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', auth: { type: 'api_key', config: { name: 'X Key', value: 'the-api-key' } } }) }, /auth\.config\.name = "X Key" is not a valid header/],
    ['a key with a line break', { OAUTH2_TOKEN_HOOK: JSON.stringify({ url: 'https://h.example.com', auth: { type: 'api_key', config: { name: 'k', value: 'the-api-key\r\nX: y' } } }) }, /auth\.config\.value may not contain control characters/],
    ['broken JSON', { OAUTH2_TOKEN_HOOK: '{"url": "https://h.example.com", "auth": {"config": {"value": "the-api-key"' }, /not a valid JSON object/],
  ])('refuses %s with a clear message that never shows the key', (_name, env, message) => {
    let err: unknown
    try {
      load(env)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(message)
    expect((err as Error).message).not.toContain('the-api-key')
    expect((err as Error).message).not.toContain('12345678')
  })
})
