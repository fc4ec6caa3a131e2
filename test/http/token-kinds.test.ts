// Tokens this server signs with the same keys must not stand in for one another: a back-channel
// logout token (typ logout+jwt, events) or a signed userinfo answer is no ID token, an at+jwt is
// no ID token, and an ID token is no access token.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ID_TOKEN_SET } from '../../src/jwk/keyring.js'
import { testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, authorizePath, browse, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const IDT = 'urn:ietf:params:oauth:token-type:id_token'
const EVENT = 'http://schemas.openid.net/event/backchannel-logout'

for (const t of testDatabases()) {
  describe(`token kinds on ${t.name}`, () => {
    let env: TestApps
    let client: TestClient
    let idToken = ''
    let accessToken = ''
    const jar = new CookieJar()
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
      client = await createClient(env, { grant_types: ['authorization_code', 'refresh_token', EXCHANGE] })
      const params = await fullFlow(env, jar, client.client_id, { login: { subject: 'alice', remember: true, remember_for: 3600 } })
      const res = await tokenCall(env, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: REDIRECT_URI }, basic(client))
      expect(res.statusCode, res.body).toBe(200)
      ;({ id_token: idToken, access_token: accessToken } = res.json<{ id_token: string; access_token: string }>())
    })
    afterAll(async () => env.close())

    const now = () => Math.floor(Date.now() / 1000)
    const claims = () => ({ iss: env.registry.config.urls.self.issuer, aud: [client.client_id], sub: 'alice', iat: now(), exp: now() + 120, jti: randomUUID() })
    /** What the back-channel logout sender signs (oidc/logout-channels.ts), with the ID token keys. */
    const logoutToken = () => env.registry.keyRing.sign(ID_TOKEN_SET, { ...claims(), sid: 'sid-1', events: { [EVENT]: {} } }, { typ: 'logout+jwt' })
    /** A signed userinfo answer: typ JWT, but no exp. */
    const userinfoJwt = () => {
      const { exp: _none, ...rest } = claims()
      return env.registry.keyRing.sign(ID_TOKEN_SET, rest, { typ: 'JWT' })
    }
    const atTyped = () => env.registry.keyRing.sign(ID_TOKEN_SET, claims(), { typ: 'at+jwt' })

    const exchange = (subjectToken: string) =>
      tokenCall(env, { grant_type: EXCHANGE, subject_token: subjectToken, subject_token_type: IDT }, basic(client))

    it('takes only ID tokens as subject tokens of type id_token', async () => {
      expect((await exchange(idToken)).statusCode).toBe(200)
      for (const [what, token] of [['logout token', await logoutToken()], ['userinfo answer', await userinfoJwt()], ['at+jwt', await atTyped()]] as const) {
        const res = await exchange(token)
        expect(res.statusCode, what).toBe(400)
        expect(res.json().error, what).toBe('invalid_request')
      }
    })

    it('takes only ID tokens as id_token_hint at the authorization and logout endpoints', async () => {
      const ok = await browse(env, jar, authorizePath(client.client_id, { id_token_hint: idToken, prompt: 'none' }))
      expect(queryOf(String(ok.headers.location)).get('error')).toBeNull()
      for (const [what, token] of [['logout token', await logoutToken()], ['userinfo answer', await userinfoJwt()], ['at+jwt', await atTyped()]] as const) {
        const auth = await browse(env, jar, authorizePath(client.client_id, { id_token_hint: token, prompt: 'none' }))
        expect(queryOf(String(auth.headers.location)).get('error'), what).toBe('invalid_request')
        const logout = await browse(env, jar, `/oauth2/sessions/logout?id_token_hint=${token}`)
        expect(queryOf(String(logout.headers.location)).get('error'), what).toBe('invalid_request')
      }
    })

    it('never takes an ID token or a logout token for an access token', async () => {
      expect((await introspect(env, accessToken)).active).toBe(true)
      for (const token of [idToken, await logoutToken()]) {
        expect((await introspect(env, token)).active).toBe(false)
        const userinfo = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
        expect(userinfo.statusCode).toBe(401)
      }
    })
  })
}
