// A logout app built on the official @ory/hydra-client SDK: get, accept and reject logout
// requests over real sockets; the "browser" is fetch with manual redirects and a cookie jar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Api } from '@ory/hydra-client'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit as visitAt } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI, STATE } from '../support/flow.js'

const LOGOUT_URL = 'https://logout.example.com/logout'
const POST_LOGOUT = 'https://app.example.com/logged-out'
// The SDK sends its bodiless PUTs (accept/reject logout) labelled application/x-www-form-urlencoded
// with an empty body; most cases below label them JSON, and one sends them exactly as the SDK does.
const JSON_LABEL = { headers: { 'content-type': 'application/json' } }

for (const t of testDatabases()) {
  describe(`logout requests with @ory/hydra-client on ${t.name}`, () => {
    let running: SocketServer
    let api: OAuth2Api
    let publicUrl: string
    let sessionCookie: string

    beforeAll(async () => {
      running = await startSocketServer(t, { ...FLOW_ENV, URLS_LOGOUT: LOGOUT_URL })
      sessionCookie = running.config.serve.cookies.names.session
      publicUrl = running.publicUrl
      api = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    const visit = (jar: CookieJar, url: string) => visitAt(jar, url, undefined, publicUrl)

    async function newClient(): Promise<{ id: string; secret: string }> {
      const { data } = await api.createOAuth2Client({
        oAuth2Client: {
          redirect_uris: [REDIRECT_URI],
          post_logout_redirect_uris: [POST_LOGOUT],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          scope: 'openid',
        },
      })
      return { id: data.client_id ?? '', secret: data.client_secret ?? '' }
    }

    const authorize = (clientId: string) =>
      `/oauth2/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, state: STATE })}`

    /** A remembered login through the SDK; returns the ID token the client received. */
    async function login(jar: CookieJar, client: { id: string; secret: string }, subject: string): Promise<string> {
      const first = await visit(jar, authorize(client.id))
      expect(first.location.startsWith(LOGIN_URL)).toBe(true)
      const loginChallenge = new URL(first.location).searchParams.get('login_challenge') ?? ''
      const { data: accepted } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject, remember: true, remember_for: 3600 } })
      const toConsent = await visit(jar, accepted.redirect_to)
      expect(toConsent.location.startsWith(CONSENT_URL)).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
      const { data: granted } = await api.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest: { grant_scope: ['openid'] } })
      const back = await visit(jar, granted.redirect_to)
      const code = new URL(back.location).searchParams.get('code') ?? ''
      expect(code).toMatch(/^ory_ac_/)
      const res = await fetch(new URL('/oauth2/token', publicUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as { id_token: string }).id_token
    }

    /** Starts RP-initiated logout in the browser; returns the logout challenge. */
    async function startLogout(jar: CookieJar, query: Record<string, string>): Promise<string> {
      const res = await visit(jar, `/oauth2/sessions/logout?${new URLSearchParams(query)}`)
      expect(res.status).toBe(302)
      expect(res.location.startsWith(`${LOGOUT_URL}?`), res.location).toBe(true)
      return new URL(res.location).searchParams.get('logout_challenge') ?? ''
    }

    const sidOf = (idToken: string): string =>
      (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string }).sid

    it('gets and accepts a logout request; the verifier ends the session', async () => {
      const client = await newClient()
      const jar = new CookieJar()
      const idToken = await login(jar, client, 'sdk-alice')
      expect(jar.get(sessionCookie)).toBeTruthy()
      const logoutChallenge = await startLogout(jar, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'bye-1' })

      const { data: request, status } = await api.getOAuth2LogoutRequest({ logoutChallenge })
      expect(status).toBe(200)
      expect(request).toMatchObject({ challenge: logoutChallenge, subject: 'sdk-alice', sid: sidOf(idToken), rp_initiated: true })
      expect(request.client?.client_id).toBe(client.id)
      expect(request.request_url).toContain('/oauth2/sessions/logout?')

      const { data: accepted } = await api.acceptOAuth2LogoutRequest({ logoutChallenge }, JSON_LABEL)
      expect(accepted.redirect_to).toContain('/oauth2/sessions/logout?logout_verifier=')
      const done = await visit(jar, accepted.redirect_to)
      expect(done.status).toBe(302)
      expect(done.location).toBe(`${POST_LOGOUT}?state=bye-1`)
      expect(jar.get(sessionCookie)).toBeUndefined()

      // The next login is not remembered any more.
      const next = await visit(jar, authorize(client.id))
      const { data: loginRequest } = await api.getOAuth2LoginRequest({ loginChallenge: new URL(next.location).searchParams.get('login_challenge') ?? '' })
      expect(loginRequest.skip).toBe(false)

      // A used challenge cannot be accepted again.
      const again = await api.acceptOAuth2LogoutRequest({ logoutChallenge }, JSON_LABEL).then(
        () => undefined,
        (e: { response?: { status: number } }) => e.response,
      )
      expect(again?.status).toBeGreaterThanOrEqual(400)
      expect(again?.status).toBeLessThan(500)
    })

    it('rejects a logout request; the session stays', async () => {
      const client = await newClient()
      const jar = new CookieJar()
      await login(jar, client, 'sdk-bob')
      const logoutChallenge = await startLogout(jar, {})
      const { data: request } = await api.getOAuth2LogoutRequest({ logoutChallenge })
      expect(request).toMatchObject({ challenge: logoutChallenge, subject: 'sdk-bob', rp_initiated: false })

      const rejected = await api.rejectOAuth2LogoutRequest({ logoutChallenge }, JSON_LABEL)
      expect(rejected.status).toBe(204)
      const late = await api.acceptOAuth2LogoutRequest({ logoutChallenge }, JSON_LABEL).then(
        () => undefined,
        (e: { response?: { status: number; data: { error?: string } } }) => e.response,
      )
      expect(late?.status).toBe(409)
      expect(typeof late?.data.error).toBe('string')

      // Still logged in: the next login request is skipped.
      expect(jar.get(sessionCookie)).toBeTruthy()
      const next = await visit(jar, authorize(client.id))
      const { data: loginRequest } = await api.getOAuth2LoginRequest({ loginChallenge: new URL(next.location).searchParams.get('login_challenge') ?? '' })
      expect(loginRequest).toMatchObject({ skip: true, subject: 'sdk-bob' })
    })

    // Hydra accepts the SDK's own request: an empty body labelled as a form is no body.
    it('accepts the SDK\'s bodiless PUT exactly as the SDK sends it', async () => {
      const client = await newClient()
      const jar = new CookieJar()
      await login(jar, client, 'sdk-carol')
      const logoutChallenge = await startLogout(jar, {})
      const { data } = await api.acceptOAuth2LogoutRequest({ logoutChallenge })
      expect(data.redirect_to).toContain('logout_verifier=')
    })

    it('answers an unknown challenge with a 4xx error the SDK surfaces', async () => {
      for (const call of [
        () => api.getOAuth2LogoutRequest({ logoutChallenge: 'no-such-challenge' }),
        () => api.acceptOAuth2LogoutRequest({ logoutChallenge: 'no-such-challenge' }, JSON_LABEL),
        () => api.rejectOAuth2LogoutRequest({ logoutChallenge: 'no-such-challenge' }, JSON_LABEL),
      ]) {
        const res = await call().then(
          () => undefined,
          (e: { response?: { status: number; data: { error?: string } } }) => e.response,
        )
        expect(res?.status).toBeGreaterThanOrEqual(400)
        expect(res?.status).toBeLessThan(500)
        expect(typeof res?.data.error).toBe('string')
      }
    })
  })
}
