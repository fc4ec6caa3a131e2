// A FAPI 2.0-style client with openid-client v6 over real sockets: the authorization request is
// pushed (PAR, RFC 9126) with private_key_jwt client authentication, PKCE S256 and dpop_jkt;
// tokens are DPoP-bound (RFC 9449, server nonces required) and /userinfo needs the proof. The
// steps are the ones docs/fapi.md walks through. Then what such a server must refuse: a plain
// authorization request from a client that must push, a pushed request used twice or by another
// client, and the code redeemed with another key.
import type { OAuth2Api } from '@ory/hydra-client'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { signInThroughAdmin, visit } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { FLOW_ENV, REDIRECT_URI } from '../support/flow.js'
import { fapiClientMetadata, pushAuthorization } from '../support/fapi.js'

for (const t of testDatabases()) {
  describe(`FAPI 2.0-style client (PAR + DPoP + PKCE + private_key_jwt) with openid-client on ${t.name}`, () => {
    let running: SocketServer
    let api: OAuth2Api
    let issuer: string

    beforeAll(async () => {
      running = await startSocketServer(t, { ...FLOW_ENV, OAUTH2_DPOP_REQUIRE_NONCE: 'true' }, { realIssuer: true })
      issuer = running.issuer
      api = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    /** A confidential client that proves itself with a signed assertion and must push and bind. */
    async function fapiClient(): Promise<oidc.Configuration> {
      const { metadata, auth } = await fapiClientMetadata(REDIRECT_URI)
      const { data: client } = await api.createOAuth2Client({ oAuth2Client: metadata })
      return oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, auth, { execute: [oidc.allowInsecureRequests] })
    }

    /** The login and consent app's part, through the admin API, as a Hydra login app does it. */
    const signIn = (jar: CookieJar, authorizationUrl: string): Promise<URL> =>
      signInThroughAdmin(api, jar, authorizationUrl, 'fapi-user', { grant_scope: ['openid', 'offline'], session: { id_token: { name: 'Fapi User' } } })

    it('pushes the request, signs in, and gets DPoP-bound tokens that read /userinfo and refresh', async () => {
      const config = await fapiClient()
      const metadata = config.serverMetadata()
      expect(metadata.pushed_authorization_request_endpoint).toBe(`${issuer}/oauth2/par`)
      expect(metadata.dpop_signing_alg_values_supported).toContain('ES256')
      const { DPoP, verifier, state, pushed } = await pushAuthorization(config, REDIRECT_URI)
      // The front channel carries only the client and the reference.
      expect([...pushed.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
      expect(pushed.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)

      const callback = await signIn(new CookieJar(), pushed.href)
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP })
      expect(tokens.token_type).toBe('dpop')
      expect(tokens.claims()?.sub).toBe('fapi-user')
      const { data: introspected } = await api.introspectOAuth2Token({ token: tokens.access_token })
      expect((introspected as unknown as Record<string, unknown>)['cnf']).toEqual({ jkt: await DPoP.calculateThumbprint() })

      const info = await oidc.fetchUserInfo(config, tokens.access_token, 'fapi-user', { DPoP })
      expect(info).toMatchObject({ sub: 'fapi-user', name: 'Fapi User' })
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', undefined, { DPoP })
      expect(refreshed.token_type).toBe('dpop')
    })

    it('refuses a plain authorization request, a pushed request used twice or by another client, and the code redeemed with another key', async () => {
      const config = await fapiClient()
      const other = await fapiClient()
      const { verifier, params, pushed } = await pushAuthorization(config, REDIRECT_URI)
      // Not pushed: refused at the registered redirect URI.
      const plain = await visit(new CookieJar(), oidc.buildAuthorizationUrl(config, params).href)
      expect(new URL(plain.location).searchParams.get('error')).toBe('invalid_request')

      const requestUri = pushed.searchParams.get('request_uri') ?? ''
      // Another client cannot use this client's pushed request.
      const stolen = new URL(`${issuer}/oauth2/auth`)
      stolen.searchParams.set('client_id', other.clientMetadata().client_id)
      stolen.searchParams.set('request_uri', requestUri)
      const byOther = await visit(new CookieJar(), stolen.href)
      // No redirect target is known yet: the refusal goes to the error page.
      const refusal = (location: string) => new URL(location).searchParams.get('error')
      expect(refusal(byOther.location)).toBe('invalid_request_uri')

      const callback = await signIn(new CookieJar(), pushed.href)
      // Used once already: a second visit is refused.
      const again = await visit(new CookieJar(), pushed.href)
      expect(refusal(again.location)).toBe('invalid_request_uri')

      // The code is bound to the pushed dpop_jkt: another key cannot redeem it.
      const thief = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
      await expect(
        oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: params.state }, undefined, { DPoP: thief }),
      ).rejects.toMatchObject({ error: 'invalid_dpop_proof' })
    })
  })
}
