// The authorization code flow over real sockets with openid-client v6 as the relying party:
// discovery, PKCE S256 + nonce + state, the code exchange (openid-client validates the ID token
// strictly), a refresh and /userinfo; then the hybrid `code id_token` response (OpenID Connect
// Core §3.3). Login and consent are driven with @ory/hydra-client; the "browser" is fetch with
// manual redirects and a cookie jar.
import type { OAuth2Api } from '@ory/hydra-client'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI } from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`authorization code flow with openid-client on ${t.name}`, () => {
    let running: SocketServer
    let api: OAuth2Api
    let issuer: string

    beforeAll(async () => {
      // openid-client compares the discovered issuer with the URL it asked, so the issuer must
      // name the real port.
      running = await startSocketServer(t, FLOW_ENV, { realIssuer: true })
      issuer = running.issuer
      api = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    it('logs in, exchanges the code, refreshes and reads /userinfo', async () => {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          scope: 'openid offline profile',
          token_endpoint_auth_method: 'client_secret_basic',
        },
      })
      // The client was registered for client_secret_basic (openid-client defaults to _post).
      const auth = oidc.ClientSecretBasic(client.client_secret ?? '')
      const config = await oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, auth, {
        execute: [oidc.allowInsecureRequests],
      })
      const verifier = oidc.randomPKCECodeVerifier()
      const nonce = oidc.randomNonce()
      const state = oidc.randomState()
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
        state,
      })

      const jar = new CookieJar()
      const toLogin = await visit(jar, authorizationUrl.href)
      expect(toLogin.location.startsWith(LOGIN_URL)).toBe(true)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
      const { data: login } = await api.acceptOAuth2LoginRequest({
        loginChallenge,
        acceptOAuth2LoginRequest: { subject: 'rp-user', acr: 'urn:pwd', amr: ['pwd'] },
      })
      const toConsent = await visit(jar, login.redirect_to)
      expect(toConsent.location.startsWith(CONSENT_URL)).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: consent } = await api.getOAuth2ConsentRequest({ consentChallenge })
      const { data: granted } = await api.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: {
          grant_scope: consent.requested_scope ?? [],
          session: { id_token: { name: 'Relying Party User', email: 'rp@example.com' }, access_token: { tier: 'gold' } },
        },
      })
      const callback = await visit(jar, granted.redirect_to)
      expect(callback.status).toBe(303)

      const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.location), {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
        idTokenExpected: true,
      })
      expect(tokens.access_token).toMatch(/^ory_at_/)
      expect(tokens.refresh_token).toMatch(/^ory_rt_/)
      expect(tokens.scope).toBe('openid offline')
      const claims = tokens.claims()
      expect(claims).toMatchObject({ iss: issuer, sub: 'rp-user', nonce, acr: 'urn:pwd', amr: ['pwd'], name: 'Relying Party User' })

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')
      expect(refreshed.access_token).not.toBe(tokens.access_token)
      expect(refreshed.refresh_token).toMatch(/^ory_rt_/)
      expect(refreshed.claims()).toMatchObject({ iss: issuer, sub: 'rp-user', auth_time: claims?.auth_time })

      const info = await oidc.fetchUserInfo(config, refreshed.access_token, 'rp-user')
      expect(info).toMatchObject({ sub: 'rp-user', name: 'Relying Party User', email: 'rp@example.com' })

      // The first pair was rotated away.
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' })
      const { data: introspected } = await api.introspectOAuth2Token({ token: refreshed.access_token })
      expect(introspected.active).toBe(false)
    })

    it('accepts a hybrid code id_token response (c_hash, nonce, iss) and exchanges its code', async () => {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'implicit'],
          response_types: ['code id_token'],
          scope: 'openid',
          token_endpoint_auth_method: 'client_secret_basic',
        },
      })
      const config = await oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, oidc.ClientSecretBasic(client.client_secret ?? ''), {
        execute: [oidc.allowInsecureRequests, oidc.useCodeIdTokenResponseType],
      })
      const nonce = oidc.randomNonce()
      const state = oidc.randomState()
      const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', nonce, state })
      expect(authorizationUrl.searchParams.get('response_type')).toBe('code id_token')

      const jar = new CookieJar()
      const toLogin = await visit(jar, authorizationUrl.href)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
      const { data: login } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'hybrid-user' } })
      const toConsent = await visit(jar, login.redirect_to)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: granted } = await api.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: { grant_scope: ['openid'] },
      })
      const callback = await visit(jar, granted.redirect_to)
      expect(callback.status).toBe(303)
      expect(callback.location.startsWith(`${REDIRECT_URI}#`)).toBe(true)

      const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.location), {
        expectedNonce: nonce,
        expectedState: state,
        idTokenExpected: true,
      })
      expect(tokens.access_token).toMatch(/^ory_at_/)
      expect(tokens.claims()).toMatchObject({ iss: issuer, sub: 'hybrid-user', nonce })
    })
  })
}
