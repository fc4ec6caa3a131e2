import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { registerPerformAuthorizationCode } from '../../src/cli/perform/authorization-code.js'
import { FakeServer, decodeBasic, runCommands, type RunResult } from '../support/fake-http.js'
import { freePort } from '../support/socket-server.js'

const token = new FakeServer()
const TOKENS = { access_token: 'ory_at_a.b', refresh_token: 'ory_rt_c.d', id_token: 'eyJ.x.y', expires_in: 3599, token_type: 'bearer' }

/** Waits for the command's local server and returns the authorization URL its start page links to. */
async function authorizationLink(port: number): Promise<URL> {
  for (let i = 0; i < 100; i++) {
    try {
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text()
      const href = /href="([^"]+)"/.exec(page)?.[1] ?? ''
      return new URL(href.replaceAll('&amp;', '&'))
    } catch {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  throw new Error('the callback server did not start')
}

async function flow(args: string[], callback: (auth: URL) => string): Promise<{ run: RunResult; auth: URL; page: Response }> {
  const port = await freePort()
  const running = runCommands(registerPerformAuthorizationCode, ['perform', 'authorization-code', '--no-open', '--port', String(port), '--endpoint', token.url, ...args])
  const auth = await authorizationLink(port)
  const page = await fetch(`http://127.0.0.1:${port}/callback?${callback(auth)}`)
  return { run: await running, auth, page }
}

const okCallback = (auth: URL): string => new URLSearchParams({ code: 'the-code', state: auth.searchParams.get('state') ?? '' }).toString()

beforeAll(() => token.start())
afterAll(() => token.stop())
beforeEach(() => {
  token.reset()
  token.reply = () => ({ status: 200, body: TOKENS })
  for (const name of ['ORY_SDK_URL', 'HYDRA_PUBLIC_URL', 'OAUTH2_CLIENT_ID', 'OAUTH2_CLIENT_SECRET']) vi.stubEnv(name, '')
})

describe('perform authorization-code', () => {
  it('sends state, nonce and PKCE S256, exchanges the code with client_secret_basic and prints the tokens', async () => {
    const { run, auth, page } = await flow(['--client-id', 'app', '--client-secret', 's3cret'], okCallback)
    expect(run.code, run.stderr).toBe(0)
    expect(auth.pathname).toBe('/oauth2/auth')
    const q = auth.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe('app')
    expect(q.get('scope')).toBe('offline openid')
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(q.get('state')?.length).toBeGreaterThanOrEqual(32)
    expect(q.get('nonce')?.length).toBeGreaterThanOrEqual(32)
    expect(q.get('code_challenge_method')).toBe('S256')

    const [req] = token.requests
    expect(req?.url).toBe('/oauth2/token')
    expect(decodeBasic(req?.headers.authorization)).toEqual({ id: 'app', secret: 's3cret' })
    const form = new URLSearchParams(req?.body)
    expect(form.get('grant_type')).toBe('authorization_code')
    expect(form.get('code')).toBe('the-code')
    expect(form.get('redirect_uri')).toBe(q.get('redirect_uri'))
    expect(form.get('client_id')).toBeNull()
    const verifier = form.get('code_verifier') ?? ''
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'))

    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('ACCESS TOKEN    ory_at_a.b')
    expect(lines[1]).toBe('REFRESH TOKEN   ory_rt_c.d')
    expect(lines[2]).toBe('ID TOKEN        eyJ.x.y')
    expect(lines[3]).toMatch(/^EXPIRY {10}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/)
    expect(run.stderr).toContain(auth.href)
  })

  it('acts as a public client (auth method none) without a secret, and passes the OIDC options', async () => {
    const args = ['--client-id', 'spa', '--scope', 'openid,email', '--audience', 'https://api', '--prompt', 'login', '--max-age', '60']
    const { run, auth } = await flow(args, okCallback)
    expect(run.code, run.stderr).toBe(0)
    expect(auth.searchParams.get('scope')).toBe('openid email')
    expect(auth.searchParams.get('audience')).toBe('https://api')
    expect(auth.searchParams.get('prompt')).toBe('login')
    expect(auth.searchParams.get('max_age')).toBe('60')
    const req = token.requests[0]
    expect(req?.headers.authorization).toBeUndefined()
    expect(new URLSearchParams(req?.body).get('client_id')).toBe('spa')
  })

  it('omits PKCE with --no-pkce and honours --auth-url / --token-url', async () => {
    const args = ['--client-id', 'app', '--client-secret', 's', '--no-pkce', '--auth-url', 'https://id.example/authorize', '--token-url', `${token.url}/custom/token`]
    const { run, auth } = await flow(args, okCallback)
    expect(run.code, run.stderr).toBe(0)
    expect(auth.origin + auth.pathname).toBe('https://id.example/authorize')
    expect(auth.searchParams.get('code_challenge')).toBeNull()
    expect(token.requests[0]?.url).toBe('/custom/token')
    expect(new URLSearchParams(token.requests[0]?.body).get('code_verifier')).toBeNull()
  })

  it('reports an error callback on one line and exits 1 without calling the token endpoint', async () => {
    const { run, page } = await flow(['--client-id', 'app', '--client-secret', 's'], (auth) =>
      new URLSearchParams({ error: 'access_denied', error_description: 'The resource owner denied\nthe request', state: auth.searchParams.get('state') ?? '' }).toString(),
    )
    expect(run.code).toBe(1)
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe('Error: authorization failed: access_denied: The resource owner denied the request')
    expect(page.status).toBe(400)
    expect(token.requests).toHaveLength(0)
    expect(run.stdout).toBe('')
  })

  it('refuses a callback whose state does not match', async () => {
    const { run } = await flow(['--client-id', 'app', '--client-secret', 's'], () => 'code=stolen&state=forged')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('state parameter in the callback does not match')
    expect(token.requests).toHaveLength(0)
  })

  it('fails clearly when the token endpoint refuses the code', async () => {
    token.reply = () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'The code was used.' } })
    const { run, page } = await flow(['--client-id', 'app', '--client-secret', 's'], okCallback)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Error: could not exchange the authorization code: 400 invalid_grant: The code was used.')
    expect(page.status).toBe(502)
  })

  it('requires a client id', async () => {
    const r = await runCommands(registerPerformAuthorizationCode, ['perform', 'authorization-code', '--no-open', '--endpoint', token.url])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--client-id')
  })
})
