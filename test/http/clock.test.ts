// The registry's clock (RegistryOptions.now) is the time the server goes by, on every configured
// database: with a clock set years before the wall clock, JWTs are minted and checked, tokens
// expire, clients are dated and the flow's cookies expire by it.
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, adminCall, authorizePath, browse, createClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

const START = new Date('2020-06-01T12:00:00Z')

for (const t of testDatabases()) {
  describe(`the registry's clock on ${t.name}`, () => {
    const clock = testClock(START)
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, STRATEGIES_ACCESS_TOKEN: 'jwt' }, { clock })
    })
    afterAll(async () => env.close())

    it('mints and checks JWT access tokens at its time, and expires them when it passes their lifespan', async () => {
      const c = await createClient(env, { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read' })
      const res = await tokenCall(env, { grant_type: 'client_credentials', scope: 'read' }, basic(c))
      expect(res.statusCode, res.body).toBe(200)
      const token = res.json<{ access_token: string }>().access_token
      const { iat, exp } = decodeJwt(token)
      if (iat === undefined || exp === undefined) throw new Error('the access token has no iat or exp')
      expect(Math.abs(iat * 1000 - clock.now().getTime())).toBeLessThan(60_000)
      // Expired long ago by the wall clock, active by the registry's.
      expect(await introspect(env, token)).toMatchObject({ active: true, iat, exp })
      clock.advance((exp - iat) * 1000 - 60_000)
      expect((await introspect(env, token)).active).toBe(true)
      clock.advance(61_000)
      expect((await introspect(env, token)).active).toBe(false)
    })

    it("dates clients and the flow's cookies by it", async () => {
      const c = await createClient(env)
      const got = await adminCall(env, 'GET', `/admin/clients/${c.client_id}`)
      expect(got.statusCode).toBe(200)
      expect(new Date(got.json<{ created_at: string }>().created_at).getUTCFullYear()).toBe(2020)
      const res = await browse(env, new CookieJar(), authorizePath(c.client_id))
      expect(res.statusCode).toBe(302)
      const expires = [res.headers['set-cookie'] ?? []].flat().map((h) => /Expires=([^;]+)/.exec(h)?.[1])
      expect(expires.length).toBeGreaterThan(0)
      for (const e of expires) expect(new Date(String(e)).getUTCFullYear()).toBe(2020)
    })
  })
}
