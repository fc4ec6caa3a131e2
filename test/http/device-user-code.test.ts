// oauth2.device_authorization.user_code at the endpoints: the device authorization response
// carries a code of the configured preset, and the admin API accepts exactly that code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEVICE_CODE_GRANT_TYPE } from '../../src/oauth2/device-code.js'
import { testApps, type TestApps } from '../support/app.js'
import { pathOf, queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, DEVICE_ENV, adminCall, browse, createClient } from '../support/flow.js'
import { basic } from '../support/tokens.js'

const [sqlite] = testDatabases()

for (const [preset, shape] of [
  ['low', /^[0-9]{9}$/],
  ['high', /^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{8}$/],
] as const) {
  describe(`user_code.entropy_preset ${preset}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(sqlite!, { ...DEVICE_ENV, OAUTH2_DEVICE_AUTHORIZATION_USER_CODE_ENTROPY_PRESET: preset })
    })
    afterAll(() => env.close())

    it('issues codes of the preset, and the verification accepts them', async () => {
      const client = await createClient(env, { grant_types: [DEVICE_CODE_GRANT_TYPE], response_types: ['code'], redirect_uris: [] })
      const res = await env.public.inject({
        method: 'POST',
        url: '/oauth2/device/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(client) },
        payload: new URLSearchParams({ scope: 'openid' }).toString(),
      })
      expect(res.statusCode, res.body).toBe(200)
      const auth = res.json() as { user_code: string; verification_uri_complete: string }
      expect(auth.user_code).toMatch(shape)
      expect(queryOf(auth.verification_uri_complete).get('user_code')).toBe(auth.user_code)
      const page = await browse(env, new CookieJar(), pathOf(auth.verification_uri_complete))
      const q = queryOf(String(page.headers.location))
      expect(q.get('user_code')).toBe(auth.user_code)
      const accepted = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${q.get('device_challenge')}`, {
        user_code: auth.user_code,
      })
      expect(accepted.statusCode, accepted.body).toBe(200)
    })
  })
}
