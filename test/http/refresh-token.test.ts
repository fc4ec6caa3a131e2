// The refresh_token grant in-process (RFC 6749 §6): rotation, reuse detection, scope narrowing,
// grace period and concurrent use (ory/hydra#3604), on every configured database.
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

type Tokens = Record<string, string>

async function tokensFor(env: TestApps, client: TestClient, scope = ['openid', 'offline']): Promise<Tokens> {
  const q = await fullFlow(env, new CookieJar(), client.client_id, {
    extra: { scope: scope.join(' ') },
    consent: { grant_scope: scope, session: { id_token: { name: 'Alice' } } },
    login: { subject: 'alice' },
  })
  const res = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '' }, basic(client))
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

const refresh = (env: TestApps, client: TestClient, token: string, extra: Record<string, string> = {}) =>
  tokenCall(env, { grant_type: 'refresh_token', refresh_token: token, ...extra }, basic(client))

for (const t of testDatabases()) {
  describe(`refresh_token grant on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    it('rotates: the old refresh and access tokens die, the new ones work in the same family', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      const res = await refresh(env, client, first.refresh_token ?? '')
      expect(res.statusCode, res.body).toBe(200)
      const second = res.json<Tokens>()
      expect(second).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
      expect(second.refresh_token).toMatch(/^ory_rt_/)
      expect(second.refresh_token).not.toBe(first.refresh_token)
      expect((await introspect(env, first.refresh_token ?? '')).active).toBe(false)
      expect((await introspect(env, first.access_token ?? '')).active).toBe(false)
      expect(await introspect(env, second.access_token ?? '')).toMatchObject({ active: true, sub: 'alice', scope: 'openid offline' })
      // OpenID Connect Core §12.2: same sub and aud, the original auth_time, no nonce.
      const before = decodeJwt(first.id_token ?? '')
      const after = decodeJwt(second.id_token ?? '')
      expect(after).toMatchObject({ sub: before.sub, aud: before.aud, auth_time: before.auth_time, name: 'Alice' })
      expect(after).not.toHaveProperty('nonce')
      const third = await refresh(env, client, second.refresh_token ?? '')
      expect(third.statusCode, third.body).toBe(200)
    })

    it('revokes the whole family when a rotated refresh token is presented again', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      const second = (await refresh(env, client, first.refresh_token ?? '')).json<Tokens>()
      const reuse = await refresh(env, client, first.refresh_token ?? '')
      expect(reuse.statusCode).toBe(400)
      expect(reuse.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await introspect(env, second.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, second.refresh_token ?? '')).active).toBe(false)
      expect((await refresh(env, client, second.refresh_token ?? '')).statusCode).toBe(400)
    })

    it('narrows the scope on request and refuses to widen it', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      const wide = await refresh(env, client, first.refresh_token ?? '', { scope: 'openid offline profile' })
      expect(wide.statusCode).toBe(400)
      expect(wide.json()).toMatchObject({ error: 'invalid_scope' })
      const narrow = await refresh(env, client, first.refresh_token ?? '', { scope: 'offline' })
      expect(narrow.statusCode, narrow.body).toBe(200)
      const body = narrow.json<Tokens>()
      expect(body.scope).toBe('offline')
      expect(body).not.toHaveProperty('id_token')
      // RFC 6749 §6: the new refresh token keeps the original scope.
      expect((await introspect(env, body.refresh_token ?? '')).scope).toBe('openid offline')
      const back = await refresh(env, client, body.refresh_token ?? '')
      expect(back.json<Tokens>().scope).toBe('openid offline')
    })

    it('refuses a refresh token of another client without consuming it', async () => {
      const client = await createClient(env)
      const other = await createClient(env)
      const first = await tokensFor(env, client)
      expect((await refresh(env, other, first.refresh_token ?? '')).json()).toMatchObject({ error: 'invalid_grant' })
      expect((await refresh(env, client, first.refresh_token ?? '')).statusCode).toBe(200)
    })

    it('refuses garbage and a missing token with a 4xx', async () => {
      const client = await createClient(env)
      expect((await refresh(env, client, 'ory_rt_garbage')).json()).toMatchObject({ error: 'invalid_grant' })
      const missing = await tokenCall(env, { grant_type: 'refresh_token' }, basic(client))
      expect(missing.json()).toMatchObject({ error: 'invalid_request' })
    })

    it('revokes the family when the refresh token is revoked (RFC 7009)', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      const res = await env.public.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(client) },
        payload: new URLSearchParams({ token: first.refresh_token ?? '' }).toString(),
      })
      expect(res.statusCode).toBe(200)
      expect((await introspect(env, first.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, first.refresh_token ?? '')).active).toBe(false)
      expect((await refresh(env, client, first.refresh_token ?? '')).statusCode).toBe(400)
    })

    it('lets exactly one of two concurrent refreshes of one token succeed, never a 500', async () => {
      const client = await createClient(env)
      for (let round = 0; round < 3; round++) {
        const first = await tokensFor(env, client)
        const results = await Promise.all([
          refresh(env, client, first.refresh_token ?? ''),
          refresh(env, client, first.refresh_token ?? ''),
        ])
        expect(results.map((r) => r.statusCode).sort(), results.map((r) => r.body).join('\n')).toEqual([200, 400])
      }
    })
  })

  describe(`refresh_token grant with a rotation grace period on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, {
        ...FLOW_ENV,
        OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD: '1m',
        OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_REUSE_COUNT: '1',
        TTL_REFRESH_TOKEN: '-1',
      })
    })
    afterAll(async () => env.close())

    it('accepts a reuse within the grace rules without revoking, then revokes', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      expect(await introspect(env, first.refresh_token ?? '')).not.toHaveProperty('exp')
      const a = await refresh(env, client, first.refresh_token ?? '')
      expect(a.statusCode, a.body).toBe(200)
      const b = await refresh(env, client, first.refresh_token ?? '')
      expect(b.statusCode, b.body).toBe(200)
      expect((await introspect(env, a.json<Tokens>().access_token ?? '')).active).toBe(true)
      // The reuse count is spent: the next use is a leak.
      const c = await refresh(env, client, first.refresh_token ?? '')
      expect(c.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await introspect(env, b.json<Tokens>().access_token ?? '')).active).toBe(false)
    })
  })

  describe(`refresh_token grant after a short rotation grace period on ${t.name}`, () => {
    let env: TestApps
    const clock = testClock()
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD: '1s' }, { clock })
    })
    afterAll(async () => env.close())

    it('treats a reuse once the grace period is over as a leak and revokes the family', async () => {
      const client = await createClient(env)
      const first = await tokensFor(env, client)
      const a = await refresh(env, client, first.refresh_token ?? '')
      expect(a.statusCode, a.body).toBe(200)
      const second = a.json<Tokens>()
      expect((await introspect(env, second.access_token ?? '')).active).toBe(true)
      clock.advance(1_200)
      const reuse = await refresh(env, client, first.refresh_token ?? '')
      expect(reuse.statusCode).toBe(400)
      expect(reuse.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await introspect(env, second.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, second.refresh_token ?? '')).active).toBe(false)
      expect((await refresh(env, client, second.refresh_token ?? '')).statusCode).toBe(400)
    })
  })
}
