// Token exchange (RFC 8693) over real sockets: an end-user logs in to an application through the
// browser flow (fetch with a cookie jar, login and consent accepted with @ory/hydra-client), then
// the resource server the token was issued for exchanges it with openid-client v6's
// genericGrantRequest, and with plain fetch for an ID token (token_type N_A, which
// openid-client does not accept as an access token response).
import type { OAuth2Api } from '@ory/hydra-client'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI } from '../support/flow.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const AT = 'urn:ietf:params:oauth:token-type:access_token'
const IDT = 'urn:ietf:params:oauth:token-type:id_token'
const DOWNSTREAM = 'https://billing.example.com'

for (const t of testDatabases()) {
  describe(`token exchange over sockets with openid-client on ${t.name}`, () => {
    let running: SocketServer
    let hydra: OAuth2Api
    let publicUrl: string

    beforeAll(async () => {
      // The login verifier redirects to urls.self.public, so it must name the real port.
      running = await startSocketServer(t, FLOW_ENV, { realIssuer: true })
      publicUrl = running.publicUrl
      hydra = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    /** The browser flow for `clientId`, consenting to tokens for `audience`; returns the code. */
    async function codeFor(clientId: string, audience: string): Promise<string> {
      const url = new URL(`${publicUrl}/oauth2/auth`)
      url.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid orders.read orders.write',
        redirect_uri: REDIRECT_URI,
        state: 'state-token-exchange',
        audience,
      }).toString()
      const jar = new CookieJar()
      const toLogin = await visit(jar, url.href)
      expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
      const { data: login } = await hydra.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'carol' } })
      const toConsent = await visit(jar, login.redirect_to)
      expect(toConsent.location.startsWith(CONSENT_URL), toConsent.location).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: consent } = await hydra.getOAuth2ConsentRequest({ consentChallenge })
      const { data: granted } = await hydra.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: {
          grant_scope: consent.requested_scope ?? [],
          grant_access_token_audience: consent.requested_access_token_audience ?? [],
          session: { id_token: { name: 'Carol' } },
        },
      })
      const callback = await visit(jar, granted.redirect_to)
      expect(callback.status).toBe(303)
      return new URL(callback.location).searchParams.get('code') ?? ''
    }

    it('lets a resource server exchange a user token with openid-client, recording itself as actor', async () => {
      const { data: rs } = await hydra.createOAuth2Client({
        oAuth2Client: {
          grant_types: ['client_credentials', GRANT],
          response_types: [],
          scope: 'openid orders.read',
          audience: [DOWNSTREAM],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      })
      const { data: app } = await hydra.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          scope: 'openid orders.read orders.write',
          audience: [rs.client_id ?? ''],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      })
      const metadata: oidc.ServerMetadata = { issuer: publicUrl, token_endpoint: `${publicUrl}/oauth2/token` }
      const configuration = (id: string, secret: string) => {
        const c = new oidc.Configuration(metadata, id, undefined, oidc.ClientSecretBasic(secret))
        oidc.allowInsecureRequests(c)
        return c
      }
      const appConfig = configuration(app.client_id ?? '', app.client_secret ?? '')
      const rsConfig = configuration(rs.client_id ?? '', rs.client_secret ?? '')

      const code = await codeFor(app.client_id ?? '', rs.client_id ?? '')
      const user = await oidc.genericGrantRequest(appConfig, 'authorization_code', { code, redirect_uri: REDIRECT_URI })
      const own = await oidc.clientCredentialsGrant(rsConfig)

      const params = new URLSearchParams({
        subject_token: user.access_token,
        subject_token_type: AT,
        actor_token: own.access_token,
        actor_token_type: AT,
        scope: 'orders.read',
        audience: DOWNSTREAM,
      })
      const exchanged = await oidc.genericGrantRequest(rsConfig, GRANT, params)
      expect(exchanged.token_type).toBe('bearer')
      expect(exchanged.scope).toBe('orders.read')
      expect(exchanged).toMatchObject({ issued_token_type: AT })
      expect(exchanged.refresh_token).toBeUndefined()

      const { data: info } = await hydra.introspectOAuth2Token({ token: exchanged.access_token })
      expect(info).toMatchObject({ active: true, sub: 'carol', client_id: rs.client_id, aud: [DOWNSTREAM], scope: 'orders.read' })
      expect((info as unknown as { act?: unknown }).act).toEqual({ sub: rs.client_id, client_id: rs.client_id })

      // The user granted orders.write, but the resource server may only narrow within its own scopes.
      await expect(
        oidc.genericGrantRequest(rsConfig, GRANT, { subject_token: user.access_token, subject_token_type: AT, scope: 'orders.write' }),
      ).rejects.toMatchObject({ error: 'invalid_scope' })
      await expect(
        oidc.genericGrantRequest(rsConfig, GRANT, { subject_token: 'not-a-token', subject_token_type: AT }),
      ).rejects.toMatchObject({ error: 'invalid_request' })

      // An ID token for the resource server, with plain fetch.
      const res = await fetch(`${publicUrl}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(rs.client_id ?? '')}:${encodeURIComponent(rs.client_secret ?? '')}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: GRANT, subject_token: user.access_token, subject_token_type: AT, requested_token_type: IDT }),
      })
      const body = (await res.json()) as Record<string, unknown>
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(body).toMatchObject({ issued_token_type: IDT, token_type: 'N_A' })
      const [, payload] = String(body.access_token).split('.')
      expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))).toMatchObject({ sub: 'carol', aud: [rs.client_id], name: 'Carol' })
    })
  })
}
