// The admin login and consent request endpoints: their error answers, pinned as {status, body}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { FlowCodec, newFlowId } from '../../src/flow/codec.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, acceptLogin, adminCall, createClient, startFlow, toConsent } from '../support/flow.js'

const LOGIN = '/admin/oauth2/auth/requests/login'
const CONSENT = '/admin/oauth2/auth/requests/consent'
const REQUEST =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.'

for (const t of testDatabases()) {
  describe(`admin login and consent requests on ${t.name}`, () => {
    let env: TestApps
    let clientId: string
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
      clientId = (await createClient(env)).client_id
    })
    afterAll(async () => env.close())

    const invalid = (hint: string) => ({ status: 400, body: { error: 'invalid_request', error_description: `${REQUEST} ${hint}`, status_code: 400 } })
    const pick = (res: { statusCode: number; json(): unknown }) => {
      const { error, error_description, status_code } = res.json() as Record<string, unknown>
      return { status: res.statusCode, body: { error, error_description, status_code } }
    }

    it('answers a missing, malformed or unknown challenge clearly', async () => {
      expect(pick(await adminCall(env, 'GET', LOGIN))).toEqual(invalid("Query parameter 'challenge' is not defined but should have been."))
      // A challenge that does not decode is Hydra's x.ErrNotFound, not a malformed request.
      const hydraNotFound = {
        status: 404,
        body: { error: 'Not Found', error_description: 'Unable to locate the requested resource', status_code: 404 },
      }
      expect(pick(await adminCall(env, 'GET', `${LOGIN}?login_challenge=nonsense`))).toEqual(hydraNotFound)
      expect(pick(await adminCall(env, 'PUT', `${LOGIN}/accept?login_challenge=nonsense`, { subject: 'u' }))).toEqual(hydraNotFound)
      expect(pick(await adminCall(env, 'PUT', `${LOGIN}/reject?login_challenge=nonsense`, {}))).toEqual(hydraNotFound)
      expect(pick(await adminCall(env, 'GET', `${CONSENT}?consent_challenge=nonsense`))).toEqual(hydraNotFound)
      expect(pick(await adminCall(env, 'PUT', `${CONSENT}/accept?consent_challenge=nonsense`, {}))).toEqual(hydraNotFound)
      expect(pick(await adminCall(env, 'PUT', `${CONSENT}/reject?consent_challenge=nonsense`, {}))).toEqual(hydraNotFound)
      const codec = new FlowCodec(new HmacKeys(env.registry.config.secrets.system))
      const unknown = codec.encode('login_challenge', newFlowId())
      expect(pick(await adminCall(env, 'GET', `${LOGIN}?login_challenge=${unknown}`))).toEqual({
        status: 404,
        body: { error: 'Unable to locate the resource', error_description: 'The login request could not be found.', status_code: 404 },
      })
      expect((await adminCall(env, 'GET', `${CONSENT}?consent_challenge=${codec.encode('consent_challenge', newFlowId())}`)).statusCode).toBe(404)
    })

    it('does not take a challenge for another purpose', async () => {
      const jar = new CookieJar()
      const login = await startFlow(env, jar, clientId)
      const consent = await toConsent(env, jar, await acceptLogin(env, login))
      expect((await adminCall(env, 'GET', `${CONSENT}?consent_challenge=${login}`)).statusCode).toBe(404)
      expect((await adminCall(env, 'GET', `${LOGIN}?login_challenge=${consent}`)).statusCode).toBe(404)
      // Hydra's `challenge` alias and the routes without /admin work too.
      expect((await adminCall(env, 'GET', `/oauth2/auth/requests/consent?challenge=${consent}`)).statusCode).toBe(200)
    })

    it('refuses bodies with unknown fields or wrong types', async () => {
      const challenge = await startFlow(env, new CookieJar(), clientId)
      const accept = `${LOGIN}/accept?login_challenge=${challenge}`
      expect(pick(await adminCall(env, 'PUT', accept, { subject: 'u', color: 'blue' }))).toEqual(
        invalid('Unable to decode body because: unknown field "color".'),
      )
      expect(pick(await adminCall(env, 'PUT', accept, { subject: '' }))).toEqual(invalid("Field 'subject' must not be empty."))
      expect((await adminCall(env, 'PUT', accept, { subject: 'u', remember: 'yes' })).statusCode).toBe(400)
      expect((await adminCall(env, 'PUT', accept, { subject: 'u', remember_for: 1.5 })).statusCode).toBe(400)
      expect((await adminCall(env, 'PUT', accept, { subject: 'u', amr: 'pwd' })).statusCode).toBe(400)
      expect((await adminCall(env, 'PUT', `${LOGIN}/reject?login_challenge=${challenge}`, { status_code: 'x' })).statusCode).toBe(400)
      // Accepting again before the verifier is used is allowed, as in Hydra.
      expect((await adminCall(env, 'PUT', accept, { subject: 'u' })).statusCode).toBe(200)
      expect((await adminCall(env, 'PUT', accept, { subject: 'u' })).statusCode).toBe(200)
    })

    it('answers a login request that was already used with 410 and 409', async () => {
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, clientId)
      const consent = await toConsent(env, jar, await acceptLogin(env, challenge))
      const gone = await adminCall(env, 'GET', `${LOGIN}?login_challenge=${challenge}`)
      expect(gone.statusCode).toBe(410)
      expect(Object.keys(gone.json())).toEqual(['redirect_to'])
      expect(pick(await adminCall(env, 'PUT', `${LOGIN}/reject?login_challenge=${challenge}`, {}))).toEqual({
        status: 409,
        body: {
          error: 'Unable to insert or update resource because a resource with that value exists already',
          error_description: 'The login request was already used and can no longer be changed.',
          status_code: 409,
        },
      })
      const badConsent = await adminCall(env, 'PUT', `${CONSENT}/accept?consent_challenge=${consent}`, { grant_scope: 'openid' })
      expect(badConsent.statusCode).toBe(400)
      const ok = await adminCall(env, 'PUT', `${CONSENT}/accept?consent_challenge=${consent}`, { grant_scope: ['openid'], handled_at: null })
      expect(ok.statusCode).toBe(200)
      expect(Object.keys(ok.json())).toEqual(['redirect_to'])
    })
  })
}
