// `perform device-code` against a scripted server: the requests it sends, the waits between
// polls (the interval, 5 s more after each slow_down), and what it prints or refuses.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEVICE_CODE_GRANT, performDeviceCode } from '../../src/cli/perform/device-code.js'
import { CliError, setCliIo } from '../../src/cli/output.js'
import { FakeServer, type Recorded, type Reply } from '../support/fake-http.js'

const server = new FakeServer()
const form = (r: Recorded | undefined): Record<string, string> => Object.fromEntries(new URLSearchParams(r?.body ?? ''))
const DEVICE = {
  device_code: 'ory_dc_device.code',
  user_code: 'BCDF-GHJK',
  verification_uri: 'http://127.0.0.1:1/oauth2/device/verify',
  verification_uri_complete: 'http://127.0.0.1:1/oauth2/device/verify?user_code=BCDF-GHJK',
  expires_in: 600,
  interval: 2,
}

async function run(polls: Reply[], opts: Record<string, unknown> = { clientId: 'tv', clientSecret: 'secret' }) {
  server.reset()
  const answers = [...polls]
  server.reply = (req) => (req.url === '/oauth2/device/auth' ? { status: 200, body: DEVICE } : (answers.shift() ?? { status: 500, body: {} }))
  let stdout = ''
  let stderr = ''
  const restore = setCliIo({ stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) })
  const waits: number[] = []
  try {
    const error = await performDeviceCode({ endpoint: server.url, ...opts }, {}, async (ms) => void waits.push(ms)).then(
      () => undefined,
      (e: unknown) => e,
    )
    return { stdout, stderr, waits, error }
  } finally {
    restore()
  }
}

const pending = { status: 400, body: { error: 'authorization_pending' } }
const slow = { status: 400, body: { error: 'slow_down' } }

beforeAll(() => server.start())
afterAll(() => server.stop())
beforeEach(() => server.reset())

describe('perform device-code', () => {
  it('shows the code, polls at the interval, slows down by 5 s per slow_down and prints the tokens', async () => {
    const tokens = { access_token: 'ory_at_a.b', refresh_token: 'ory_rt_c.d', id_token: 'eyJx.y.z', expires_in: 3600, token_type: 'bearer' }
    const r = await run([pending, slow, pending, slow, { status: 200, body: tokens }])
    expect(r.error).toBeUndefined()
    expect(r.waits).toEqual([2000, 2000, 7000, 7000, 12000])
    expect(r.stderr).toContain(DEVICE.verification_uri)
    expect(r.stderr).toContain(DEVICE.user_code)
    expect(r.stderr).toContain(DEVICE.verification_uri_complete)
    expect(r.stdout).toMatch(/^ACCESS TOKEN\s+ory_at_a\.b\nREFRESH TOKEN\s+ory_rt_c\.d\nID TOKEN\s+eyJx\.y\.z\nEXPIRY\s+\d{4}-/)
    const [start, ...polls] = server.requests
    expect(start?.url).toBe('/oauth2/device/auth')
    expect(start?.headers.authorization).toBe(`Basic ${Buffer.from('tv:secret').toString('base64')}`)
    expect(form(start)).toEqual({ scope: 'offline openid' })
    expect(polls).toHaveLength(5)
    for (const p of polls) {
      expect(p.url).toBe('/oauth2/token')
      expect(form(p)).toEqual({ grant_type: DEVICE_CODE_GRANT, device_code: DEVICE.device_code })
    }
  })

  it('sends client_id in the form for a public client, and the requested scopes and audiences', async () => {
    const r = await run([{ status: 200, body: { access_token: 'ory_at_a.b' } }], { clientId: 'tv', scope: ['openid'], audience: ['https://api.example.com'] })
    expect(r.error).toBeUndefined()
    expect(form(server.requests[0])).toEqual({ client_id: 'tv', scope: 'openid', audience: 'https://api.example.com' })
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
    expect(form(server.requests[1])).toMatchObject({ client_id: 'tv', grant_type: DEVICE_CODE_GRANT })
    expect(r.stdout).toContain('REFRESH TOKEN   <empty>')
  })

  it('stops on access_denied and expired_token with the reason', async () => {
    const denied = await run([pending, { status: 400, body: { error: 'access_denied', error_description: 'The end user denied the request.' } }])
    expect(denied.error).toBeInstanceOf(CliError)
    expect(String((denied.error as Error).message)).toContain('access_denied: The end user denied the request.')
    const expired = await run([{ status: 400, body: { error: 'expired_token' } }])
    expect(String((expired.error as Error).message)).toContain('expired_token')
    expect(expired.stdout).toBe('')
  })

  it('needs a client id', async () => {
    const r = await run([], {})
    expect(String((r.error as Error).message)).toContain('--client-id')
    expect(server.requests).toHaveLength(0)
  })
})
