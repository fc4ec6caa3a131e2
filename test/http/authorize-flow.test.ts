// The whole browser flow in-process: /oauth2/auth -> login app -> login verifier -> consent app
// -> consent verifier -> authorization code at the client, on every configured database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { cookieSuffix } from '../../src/flow/cookies.js'
import { s256 } from '../../src/oauth2/pkce.js'
import { AUTHORIZE_CODE_PREFIX, OpaqueTokens } from '../../src/oauth2/tokens/opaque-hmac.js'
import { testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import {
  CookieJar,
  FLOW_ENV,
  REDIRECT_URI,
  STATE,
  acceptConsent,
  acceptLogin,
  adminCall,
  browse,
  createClient,
  startFlow,
  toClient,
  toConsent,
} from '../support/flow.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

for (const t of testDatabases()) {
  describe(`authorization code flow on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    it('walks login and consent and delivers a stored, single-use code to the client', async () => {
      const client = await createClient(env)
      const jar = new CookieJar()
      const verifier = 'v'.repeat(50)
      const challenge = await startFlow(env, jar, client.client_id, {
        nonce: 'nonce-12345678',
        login_hint: 'alice@example.com',
        ui_locales: 'fr-CA en',
        acr_values: 'urn:mfa',
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
        audience: '',
      })
      const csrfName = `${env.registry.config.serve.cookies.names.login_csrf}_${cookieSuffix(client.client_id)}`
      expect(jar.get(csrfName)).toBeTruthy()

      const login = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)
      expect(login.statusCode).toBe(200)
      const lr = login.json()
      expect(lr).toMatchObject({
        challenge,
        requested_scope: ['openid', 'offline'],
        requested_access_token_audience: [],
        skip: false,
        subject: '',
        oidc_context: { login_hint: 'alice@example.com', ui_locales: ['fr-CA', 'en'], acr_values: ['urn:mfa'] },
        client: { client_id: client.client_id },
      })
      expect(lr.client.client_secret).toBeUndefined()
      expect(lr.session_id).toMatch(UUID)
      expect(lr.request_url).toContain('/oauth2/auth?')
      expect(lr.request_url).toContain(`client_id=${client.client_id}`)
      expect(Object.keys(lr)).toEqual([
        'challenge', 'requested_scope', 'requested_access_token_audience', 'skip', 'subject', 'oidc_context', 'client', 'request_url', 'session_id',
      ])

      const toLoginVerifier = await acceptLogin(env, challenge, { subject: 'user-1', acr: 'urn:mfa', amr: ['pwd', 'otp'], context: { tenant: 't1' } })
      expect(queryOf(toLoginVerifier).get('login_verifier')).toBeTruthy()
      const consentChallenge = await toConsent(env, jar, toLoginVerifier)

      const consent = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`)
      expect(consent.statusCode).toBe(200)
      const cr = consent.json()
      expect(cr).toMatchObject({
        challenge: consentChallenge,
        requested_scope: ['openid', 'offline'],
        skip: false,
        subject: 'user-1',
        login_challenge: challenge,
        login_session_id: lr.session_id,
        acr: 'urn:mfa',
        amr: ['pwd', 'otp'],
        context: { tenant: 't1' },
        client: { client_id: client.client_id },
        request_url: lr.request_url,
      })
      expect(cr.consent_request_id).toMatch(/^[0-9a-f]{32}$/)

      const toConsentVerifier = await acceptConsent(env, consentChallenge, {
        grant_scope: ['openid', 'offline'],
        session: { access_token: { role: 'admin' }, id_token: { email: 'alice@example.com' } },
      })
      const res = await browse(env, jar, toConsentVerifier)
      expect(res.statusCode).toBe(303)
      const location = String(res.headers.location)
      expect(location.startsWith(`${REDIRECT_URI}?`)).toBe(true)
      const q = queryOf(location)
      expect(q.get('state')).toBe(STATE)
      expect(q.get('scope')).toBe('openid offline')
      expect(q.get('iss')).toBe(env.registry.config.urls.self.issuer)
      const code = q.get('code') ?? ''
      expect(code).toMatch(/^ory_ac_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/)

      // What the token endpoint will find.
      const signature = new OpaqueTokens(new HmacKeys(env.registry.config.secrets.system)).signatureOf(code, AUTHORIZE_CODE_PREFIX)
      const stored = await env.registry.storage.autocommit.codes.get(signature ?? '')
      expect(stored).toMatchObject({
        clientId: client.client_id,
        subject: 'user-1',
        active: true,
        grantedScope: ['openid', 'offline'],
        requestedScope: ['openid', 'offline'],
        form: { redirect_uri: REDIRECT_URI },
        requestId: cr.consent_request_id,
        challengeId: cr.consent_request_id,
        pkce: { challenge: s256(verifier), method: 'S256' },
        session: {
          accessTokenExtra: { role: 'admin' },
          idTokenExtra: { email: 'alice@example.com' },
          acr: 'urn:mfa',
          amr: ['pwd', 'otp'],
          sid: lr.session_id,
          nonce: 'nonce-12345678',
        },
      })
      expect(stored?.expiresAt.getTime()).toBeGreaterThan(Date.now())
      const invalidate = () => env.registry.storage.transaction((tx) => tx.codes.invalidate(signature ?? ''))
      expect(await invalidate()).toBe(true)
      expect(await invalidate()).toBe(false)

      // Handled requests answer 410 with where to start over.
      const gone = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)
      expect(gone.statusCode).toBe(410)
      expect(gone.json()).toEqual({ redirect_to: lr.request_url })
      const goneConsent = await adminCall(env, 'GET', `/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`)
      expect(goneConsent.statusCode).toBe(410)
      const late = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, { subject: 'user-1' })
      expect(late.statusCode).toBe(409)
    })

    it('refuses a replayed login or consent verifier', async () => {
      const client = await createClient(env)
      const jar = new CookieJar()
      const challenge = await startFlow(env, jar, client.client_id)
      const loginVerifierUrl = await acceptLogin(env, challenge)
      const consentChallenge = await toConsent(env, jar, loginVerifierUrl)
      const replay = await browse(env, jar, loginVerifierUrl)
      expect(replay.statusCode).toBe(303)
      expect(queryOf(String(replay.headers.location)).get('error')).toBe('access_denied')

      const consentVerifierUrl = await acceptConsent(env, consentChallenge)
      expect((await toClient(env, jar, consentVerifierUrl)).get('code')).toBeTruthy()
      const again = await toClient(env, jar, consentVerifierUrl)
      expect(again.get('error')).toBe('access_denied')
      expect(again.get('code')).toBeNull()
      expect(again.get('state')).toBe(STATE)
    })
  })
}
