// DPoP (RFC 9449) over real sockets with openid-client v6 as the client: client_credentials, the
// authorization code flow of a public client with PKCE and dpop_jkt, a refresh and /userinfo,
// with server nonces required (openid-client answers use_dpop_nonce by retrying with the nonce).
// Then the bad cases a real client can be made to produce: a refresh with another key and a
// bound token used as a bearer token.
import type { OAuth2Api } from '@ory/hydra-client'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { signInThroughAdmin } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { FLOW_ENV, REDIRECT_URI } from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`DPoP with openid-client on ${t.name}`, () => {
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

    it('binds client_credentials tokens to the key (nonce retry included)', async () => {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: { grant_types: ['client_credentials'], response_types: [], scope: 'read', token_endpoint_auth_method: 'client_secret_basic' },
      })
      const config = await oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, oidc.ClientSecretBasic(client.client_secret ?? ''), {
        execute: [oidc.allowInsecureRequests],
      })
      expect(config.serverMetadata().dpop_signing_alg_values_supported).toContain('ES256')
      const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' }, { DPoP })
      expect(tokens.token_type).toBe('dpop')
      const { data: introspected } = await api.introspectOAuth2Token({ token: tokens.access_token })
      expect(introspected).toMatchObject({ active: true, token_type: 'DPoP' })
      expect((introspected as unknown as Record<string, unknown>)['cnf']).toEqual({ jkt: await DPoP.calculateThumbprint() })
    })

    it('runs the code flow of a public client with PKCE and dpop_jkt, refreshes and reads /userinfo', async () => {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          scope: 'openid offline',
          token_endpoint_auth_method: 'none',
          dpop_bound_access_tokens: true,
        } as Record<string, unknown>,
      })
      const config = await oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] })
      const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
      const verifier = oidc.randomPKCECodeVerifier()
      const state = oidc.randomState()
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        dpop_jkt: await DPoP.calculateThumbprint(),
      })
      const callback = await signInThroughAdmin(api, new CookieJar(), url.href, 'dpop-user', {
        grant_scope: ['openid', 'offline'],
        session: { id_token: { name: 'Proof Holder' } },
      })

      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP })
      expect(tokens.token_type).toBe('dpop')
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', undefined, { DPoP })
      expect(refreshed.token_type).toBe('dpop')
      const info = await oidc.fetchUserInfo(config, refreshed.access_token, 'dpop-user', { DPoP })
      expect(info).toMatchObject({ sub: 'dpop-user', name: 'Proof Holder' })

      // Another key cannot use the refresh token; the bound access token is no bearer token.
      const thief = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
      await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token ?? '', undefined, { DPoP: thief })).rejects.toMatchObject({
        error: 'invalid_dpop_proof',
      })
      const bearer = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } })
      expect(bearer.status).toBe(401)
      expect(bearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/)
      // The rightful key still refreshes.
      await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token ?? '', undefined, { DPoP })).resolves.toMatchObject({ token_type: 'dpop' })
    })
  })
}
