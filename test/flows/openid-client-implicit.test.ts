// The OpenID Connect Implicit Flow (Core §3.2) over real sockets with openid-client v6 as the
// relying party: response_type=id_token and response_type=id_token token, answered in the
// fragment. openid-client's implicitAuthentication() validates the response (state, iss, the ID
// token's signature against the discovered jwks_uri, iss, aud, exp, iat, nonce) with no relaxed
// options beyond plain-http requests to 127.0.0.1. Login and consent are driven with
// @ory/hydra-client; the "browser" is fetch with manual redirects and a cookie jar.
import type { OAuth2Api } from '@ory/hydra-client'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { halfHash } from '../../src/oauth2/tokens/id-token.js'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI } from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`implicit flow with openid-client on ${t.name}`, () => {
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

    /** Login and consent through the admin API; returns the callback URL with its fragment. */
    async function authorize(authorizationUrl: URL, subject: string): Promise<URL> {
      const jar = new CookieJar()
      const toLogin = await visit(jar, authorizationUrl.href)
      expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
      const { data: login } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject, acr: 'urn:pwd', amr: ['pwd'] } })
      const toConsent = await visit(jar, login.redirect_to)
      expect(toConsent.location.startsWith(CONSENT_URL), toConsent.location).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: granted } = await api.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: { grant_scope: ['openid'], session: { id_token: { name: 'Implicit User' } } },
      })
      const callback = await visit(jar, granted.redirect_to)
      expect(callback.status).toBe(303)
      expect(callback.location.startsWith(`${REDIRECT_URI}#`), callback.location).toBe(true)
      return new URL(callback.location)
    }

    async function publicClient(responseTypes: string[]): Promise<string> {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['implicit'],
          response_types: responseTypes,
          scope: 'openid',
          token_endpoint_auth_method: 'none',
        },
      })
      return client.client_id ?? ''
    }

    it('validates a response_type=id_token response with implicitAuthentication()', async () => {
      const clientId = await publicClient(['id_token'])
      const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests, oidc.useIdTokenResponseType],
      })
      const nonce = oidc.randomNonce()
      const state = oidc.randomState()
      const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', nonce, state })
      expect(authorizationUrl.searchParams.get('response_type')).toBe('id_token')

      const callback = await authorize(authorizationUrl, 'implicit-user')
      const fragment = new URLSearchParams(callback.hash.slice(1))
      expect(fragment.has('access_token')).toBe(false)
      expect(fragment.has('code')).toBe(false)

      const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state })
      expect(claims).toMatchObject({ iss: issuer, aud: [clientId], sub: 'implicit-user', nonce, acr: 'urn:pwd', name: 'Implicit User' })
      // Core §3.2.2.10: at_hash only accompanies an access token.
      expect(claims.at_hash).toBeUndefined()

      // A wrong nonce or state is refused by openid-client, so the checks above were real.
      await expect(oidc.implicitAuthentication(config, callback, oidc.randomNonce(), { expectedState: state })).rejects.toThrow()
      await expect(oidc.implicitAuthentication(config, callback, nonce, { expectedState: oidc.randomState() })).rejects.toThrow()
    })

    it('validates a response_type=id_token token response (openid-client for the ID token, jose for at_hash)', async () => {
      const clientId = await publicClient(['id_token token'])
      const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests, oidc.useIdTokenResponseType],
      })
      const nonce = oidc.randomNonce()
      const state = oidc.randomState()
      // useIdTokenResponseType() fixes response_type=id_token; the parameter is overridden here.
      const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', nonce, state, response_type: 'id_token token' })
      expect(authorizationUrl.searchParams.get('response_type')).toBe('id_token token')

      const callback = await authorize(authorizationUrl, 'implicit-token-user')
      const fragment = new URLSearchParams(callback.hash.slice(1))
      const accessToken = fragment.get('access_token') ?? ''
      expect(accessToken).toMatch(/^ory_at_/)
      expect(fragment.get('token_type')).toBe('bearer')
      expect(fragment.has('refresh_token')).toBe(false)

      // openid-client documents implicitAuthentication() for response_type=id_token only; it
      // still validates state, iss and the ID token here (signature via jwks_uri, aud, nonce), but
      // not at_hash. So at_hash (Core §3.2.2.9) is checked with jose against the same JWKS.
      const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state })
      expect(claims).toMatchObject({ iss: issuer, aud: [clientId], sub: 'implicit-token-user', nonce })
      const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`))
      const { payload, protectedHeader } = await jwtVerify(fragment.get('id_token') ?? '', jwks, { issuer, audience: clientId })
      expect(payload.nonce).toBe(nonce)
      expect(payload.at_hash).toBe(halfHash(accessToken, protectedHeader.alg ?? ''))

      // The access token works at /userinfo.
      const info = await oidc.fetchUserInfo(config, accessToken, 'implicit-token-user')
      expect(info.sub).toBe('implicit-token-user')
    })
  })
}
