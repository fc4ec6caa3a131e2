// oauth2.token_hook and oauth2.refresh_token_hook end to end, on every configured database: the
// grants call the hook right before issuing, its claims land in introspection's `ext`, in JWT
// access tokens and in the ID token, and a hook that misbehaves fails the request with nothing
// issued, stored or consumed.
import type { ServerResponse } from 'node:http'
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { HookServer, sendJson as json, type HookCall } from '../support/fake-http.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

type HookBody = { session: Record<string, unknown>; request?: Record<string, unknown> } & Record<string, unknown>
type Seen = HookCall<HookBody>

type Answer = (req: Seen, res: ServerResponse) => void

const TOKEN_KEY = 'token-hook-api-key'
const REFRESH_KEY = 'refresh-hook-api-key'

// Each way a hook can misbehave, and the error the token request then gets.
const MISBEHAVING: Array<[string, Answer, { error: string; status: number; hint: RegExp }]> = [
  ['answers 500', (_q, res) => json(res, 500, { leaked: 'HOOK-BODY' }), { error: 'server_error', status: 500, hint: /did not answer as expected/ }],
  ['answers 403', (_q, res) => json(res, 403, { leaked: 'HOOK-BODY' }), { error: 'access_denied', status: 403, hint: /denied/ }],
  ['answers bad JSON', (_q, res) => res.writeHead(200).end('{"session": HOOK-BODY'), { error: 'server_error', status: 500, hint: /not JSON/ }],
  ['answers the wrong shape', (_q, res) => json(res, 200, { session: { access_token: ['HOOK-BODY'] } }), { error: 'server_error', status: 500, hint: /"session" object/ }],
  ['answers a huge body', (_q, res) => json(res, 200, { session: { access_token: { big: 'x'.repeat(2 << 20) } } }), { error: 'server_error', status: 500, hint: /more than/ }],
]

const dbs = testDatabases()
for (const t of dbs) {
  describe(`token hooks on ${t.name}`, () => {
    const hook = new HookServer<HookBody>()
    // The JWT deployment has a hook server of its own, stopped by the last test (connection refused).
    const jwtHook = new HookServer<HookBody>()
    let env: TestApps
    let jwtEnv: TestApps
    // A deployment whose hook deadline is short, so the timeout test waits a fraction of a second.
    let hastyEnv: TestApps | undefined
    const HASTY_TIMEOUT_MS = 300

    beforeAll(async () => {
      await hook.start()
      await jwtHook.start()
      env = await testApps(t, {
        ...FLOW_ENV,
        OAUTH2_TOKEN_HOOK: `${hook.url}/token`,
        OAUTH2_TOKEN_HOOK_AUTH_TYPE: 'api_key',
        OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME: 'X-Hook-Key',
        OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE: TOKEN_KEY,
        OAUTH2_REFRESH_TOKEN_HOOK: JSON.stringify({
          url: `${hook.url}/refresh`,
          auth: { type: 'api_key', config: { name: 'hook_session', value: REFRESH_KEY, in: 'cookie' } },
        }),
      })
      jwtEnv = await testApps(t, { ...FLOW_ENV, STRATEGIES_ACCESS_TOKEN: 'jwt', OAUTH2_TOKEN_HOOK: `${jwtHook.url}/token` })
      if (t === dbs[0]) hastyEnv = await testApps(t, { ...FLOW_ENV, OAUTH2_TOKEN_HOOK: `${hook.url}/token` }, { tokenHookTimeoutMs: HASTY_TIMEOUT_MS })
    })
    afterAll(async () => {
      await env.close()
      await jwtEnv.close()
      await hastyEnv?.close()
      await hook.stop()
      await jwtHook.stop()
    })
    afterEach(() => {
      hook.seen.length = 0
      hook.answer = (_req, res) => res.writeHead(204).end()
    })

    const machine = (e: TestApps) => createClient(e, { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read write' })
    const clientCredentials = (e: TestApps, c: TestClient, scope = 'read') =>
      tokenCall(e, { grant_type: 'client_credentials', scope }, basic(c))
    const rows = async (e: TestApps): Promise<number> => {
      const k = e.registry.db.kysely
      const access = await k.selectFrom('hydra_oauth2_access').select('signature').execute()
      const refresh = await k.selectFrom('hydra_oauth2_refresh').select('signature').execute()
      return access.length + refresh.length
    }
    const codeFor = async (e: TestApps, c: TestClient): Promise<string> => {
      const q = await fullFlow(e, new CookieJar(), c.client_id, {
        extra: { scope: 'openid offline' },
        consent: { grant_scope: ['openid', 'offline'], session: { id_token: { name: 'Alice' }, access_token: { from_consent: 'yes' } } },
        login: { subject: 'alice', acr: '2', amr: ['pwd'] },
      })
      return q.get('code') ?? ''
    }
    const exchange = (e: TestApps, c: TestClient, code: string) =>
      tokenCall(e, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code }, basic(c))

    it('client_credentials: the hook sees the request, its claims become the token ext; the API key goes in a header', async () => {
      const c = await machine(env)
      hook.answer = (_req, res) => json(res, 200, { session: { access_token: { tier: 'gold', groups: ['a', 'b'] }, id_token: { ignored: true } } })
      const res = await clientCredentials(env, c)
      expect(res.statusCode, res.body).toBe(200)
      expect(hook.seen.map((s) => s.path)).toEqual(['/token'])
      const [call] = hook.seen
      expect(call?.headers['x-hook-key']).toBe(TOKEN_KEY)
      expect(call?.body.request).toMatchObject({
        client_id: c.client_id,
        granted_scopes: ['read'],
        granted_audience: [],
        grant_types: ['client_credentials'],
        payload: {},
      })
      expect(JSON.stringify(call?.body)).not.toContain(c.client_secret ?? 'no secret')
      expect(await introspect(env, res.json<{ access_token: string }>().access_token)).toMatchObject({
        active: true,
        client_id: c.client_id,
        ext: { tier: 'gold', groups: ['a', 'b'] },
      })
    })

    it("authorization_code with openid: the hook's claims reach the ID token and ext, never replacing protected ones", async () => {
      const c = await createClient(env)
      hook.answer = (_req, res) =>
        json(res, 200, {
          session: {
            access_token: { tier: 'gold' },
            id_token: { email: 'alice@example.com', sub: 'mallory', iss: 'https://evil.example', acr: '99' },
          },
        })
      const res = await exchange(env, c, await codeFor(env, c))
      expect(res.statusCode, res.body).toBe(200)
      const tokens = res.json<Record<string, string>>()
      expect(hook.seen.map((s) => s.path)).toEqual(['/token'])
      const [call] = hook.seen
      // The hook sees what it would be issuing: the consent's claims and the end-user's authentication.
      expect(call?.body.session).toMatchObject({
        id_token: { id_token_claims: { sub: 'alice', aud: [c.client_id], acr: '2', amr: ['pwd'], ext: { name: 'Alice' } }, subject: 'alice' },
        extra: { from_consent: 'yes' },
        client_id: c.client_id,
      })
      expect(call?.body.session.consent_challenge).toEqual(expect.any(String))
      expect(call?.body.request).toMatchObject({ grant_types: ['authorization_code'], granted_scopes: ['openid', 'offline'], payload: {} })
      expect(JSON.stringify(call?.body)).not.toContain(tokens.access_token ?? 'x')

      const idToken = decodeJwt(tokens.id_token ?? '')
      expect(idToken).toMatchObject({ sub: 'alice', acr: '2', email: 'alice@example.com', aud: [c.client_id] })
      expect(idToken.iss).not.toBe('https://evil.example')
      // Hydra replaces the ID token's extra claims with the hook's.
      expect(idToken).not.toHaveProperty('name')
      expect(await introspect(env, tokens.access_token ?? '')).toMatchObject({ active: true, sub: 'alice', ext: { tier: 'gold' } })
      // The refresh token carries the hooked session on.
      expect(await introspect(env, tokens.refresh_token ?? '')).toMatchObject({ active: true, ext: { tier: 'gold' } })
    })

    it('JWT access tokens carry the hook claims in ext', async () => {
      const c = await machine(jwtEnv)
      jwtHook.answer = (_req, res) => json(res, 200, { session: { access_token: { tier: 'platinum' } } })
      const res = await clientCredentials(jwtEnv, c)
      expect(res.statusCode, res.body).toBe(200)
      const access = res.json<{ access_token: string }>().access_token
      expect(decodeJwt(access)).toMatchObject({ client_id: c.client_id, ext: { tier: 'platinum' } })
      expect(await introspect(jwtEnv, access)).toMatchObject({ active: true, ext: { tier: 'platinum' } })
    })

    it('refresh: the refresh hook (API key in a cookie) runs first, then the token hook; other grants skip the refresh hook', async () => {
      const c = await createClient(env)
      const first = await exchange(env, c, await codeFor(env, c))
      expect(first.statusCode, first.body).toBe(200)
      expect(hook.seen.map((s) => s.path)).toEqual(['/token'])
      hook.seen.length = 0

      hook.answer = (req, res) => {
        if (req.path === '/refresh') json(res, 200, { session: { access_token: { refreshed: 1 }, id_token: { refreshed_id: 1 } } })
        else res.writeHead(204).end()
      }
      const res = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: first.json<{ refresh_token: string }>().refresh_token }, basic(c))
      expect(res.statusCode, res.body).toBe(200)
      expect(hook.seen.map((s) => s.path)).toEqual(['/refresh', '/token'])
      const [refreshCall, tokenCallSeen] = hook.seen
      expect(refreshCall?.headers.cookie).toBe(`hook_session=${REFRESH_KEY}`)
      expect(refreshCall?.headers['x-hook-key']).toBeUndefined()
      expect(refreshCall?.body).toMatchObject({
        subject: 'alice',
        client_id: c.client_id,
        granted_scopes: ['openid', 'offline'],
        requester: { client_id: c.client_id, grant_types: ['refresh_token'] },
        session: { extra: { from_consent: 'yes' } },
      })
      // The token hook sees what the refresh hook made of the session.
      expect(tokenCallSeen?.body.session).toMatchObject({ extra: { refreshed: 1 }, id_token: { id_token_claims: { ext: { refreshed_id: 1 } } } })
      expect(tokenCallSeen?.headers['x-hook-key']).toBe(TOKEN_KEY)
      const tokens = res.json<Record<string, string>>()
      expect(decodeJwt(tokens.id_token ?? '')).toMatchObject({ sub: 'alice', refreshed_id: 1 })
      expect(await introspect(env, tokens.access_token ?? '')).toMatchObject({ active: true, ext: { refreshed: 1 } })
    })

    for (const [name, answer, expected] of MISBEHAVING) {
      it(`a hook that ${name} fails client_credentials with nothing issued or stored`, async () => {
        const c = await machine(env)
        const before = await rows(env)
        hook.answer = answer
        const res = await clientCredentials(env, c)
        expect(res.statusCode, res.body).toBe(expected.status)
        const body = res.json<Record<string, unknown>>()
        expect(body).toMatchObject({ error: expected.error })
        expect(String(body.error_description)).toMatch(expected.hint)
        expect(res.body).not.toContain('HOOK-BODY')
        expect(res.body).not.toContain(TOKEN_KEY)
        expect(body).not.toHaveProperty('access_token')
        expect(await rows(env)).toBe(before)
      })
    }

    it('a failing hook leaves the authorization code and the refresh token unconsumed', async () => {
      const c = await createClient(env)
      const code = await codeFor(env, c)
      const before = await rows(env)
      hook.answer = (_req, res) => json(res, 500, {})
      const failed = await exchange(env, c, code)
      expect(failed.statusCode).toBe(500)
      expect(failed.json()).toMatchObject({ error: 'server_error' })
      expect(await rows(env)).toBe(before)
      hook.answer = (_req, res) => res.writeHead(204).end()
      const ok = await exchange(env, c, code)
      expect(ok.statusCode, ok.body).toBe(200)
      const refreshTokenValue = ok.json<{ refresh_token: string }>().refresh_token

      const afterCode = await rows(env)
      hook.answer = (req, res) => (req.path === '/refresh' ? json(res, 403, {}) : res.writeHead(204).end())
      const denied = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: refreshTokenValue }, basic(c))
      expect(denied.statusCode).toBe(403)
      expect(denied.json()).toMatchObject({ error: 'access_denied' })
      expect(await rows(env)).toBe(afterCode)
      expect((await introspect(env, refreshTokenValue)).active).toBe(true)
      hook.answer = (_req, res) => res.writeHead(204).end()
      const refreshed = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: refreshTokenValue }, basic(c))
      expect(refreshed.statusCode, refreshed.body).toBe(200)
    })

    // The timeout does not depend on the database: it runs once, against a deployment whose
    // deadline is shortened (Hydra's 10 s default is pinned in test/oauth2/token-hook.test.ts).
    it.runIf(t === dbs[0])('a hook slower than its deadline fails the request with nothing stored', async () => {
      const hasty = hastyEnv as TestApps
      const c = await machine(hasty)
      const before = await rows(hasty)
      hook.answer = (_req, res) => setTimeout(() => res.writeHead(204).end(), 10 * HASTY_TIMEOUT_MS).unref()
      const res = await clientCredentials(hasty, c)
      expect(res.statusCode).toBe(500)
      expect(res.json()).toMatchObject({ error: 'server_error' })
      expect(String(res.json<{ error_description: string }>().error_description)).toContain(`did not answer within ${HASTY_TIMEOUT_MS / 1000} seconds`)
      expect(hook.seen).toHaveLength(1)
      expect(await rows(hasty)).toBe(before)
    })

    it('an unreachable hook fails the request with nothing stored', async () => {
      const c = await machine(jwtEnv)
      await jwtHook.stop()
      const before = await rows(jwtEnv)
      const res = await clientCredentials(jwtEnv, c)
      expect(res.statusCode).toBe(500)
      expect(res.json()).toMatchObject({ error: 'server_error' })
      expect(String(res.json<{ error_description: string }>().error_description)).toContain('could not be reached')
      expect(await rows(jwtEnv)).toBe(before)
    })
  })
}
