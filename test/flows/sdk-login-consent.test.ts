// A login & consent app built on the official @ory/hydra-client SDK drives the flow over real
// sockets; the "browser" is fetch with manual redirects and a cookie jar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Api } from '@ory/hydra-client'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit as visitAt } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI, STATE } from '../support/flow.js'

for (const t of testDatabases()) {
  describe(`login and consent with @ory/hydra-client on ${t.name}`, () => {
    let running: SocketServer
    let api: OAuth2Api
    let publicUrl: string

    beforeAll(async () => {
      running = await startSocketServer(t, FLOW_ENV)
      publicUrl = running.publicUrl
      api = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    const visit = (jar: CookieJar, url: string) => visitAt(jar, url, undefined, publicUrl)

    async function newClient(): Promise<string> {
      const { data } = await api.createOAuth2Client({
        oAuth2Client: { redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid offline' },
      })
      return data.client_id ?? ''
    }

    const start = (clientId: string) =>
      `/oauth2/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: STATE })}`

    it('completes the flow and hands the client a code', async () => {
      const clientId = await newClient()
      const jar = new CookieJar()
      const first = await visit(jar, start(clientId))
      expect(first.status).toBe(302)
      expect(first.location.startsWith(LOGIN_URL)).toBe(true)
      const loginChallenge = new URL(first.location).searchParams.get('login_challenge') ?? ''

      const { data: login } = await api.getOAuth2LoginRequest({ loginChallenge })
      expect(login).toMatchObject({ challenge: loginChallenge, skip: false, subject: '', requested_scope: ['openid', 'offline'] })
      expect(login.client.client_id).toBe(clientId)
      const { data: accepted } = await api.acceptOAuth2LoginRequest({
        loginChallenge,
        acceptOAuth2LoginRequest: { subject: 'sdk-user', remember: true, remember_for: 60, acr: '1', amr: ['pwd'] },
      })

      const second = await visit(jar, accepted.redirect_to)
      expect(second.status).toBe(302)
      expect(second.location.startsWith(CONSENT_URL)).toBe(true)
      const consentChallenge = new URL(second.location).searchParams.get('consent_challenge') ?? ''

      const { data: consent } = await api.getOAuth2ConsentRequest({ consentChallenge })
      expect(consent).toMatchObject({ challenge: consentChallenge, subject: 'sdk-user', skip: false, login_challenge: loginChallenge, acr: '1', amr: ['pwd'] })
      const { data: granted } = await api.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: {
          grant_scope: consent.requested_scope ?? [],
          grant_access_token_audience: consent.requested_access_token_audience ?? [],
          remember: true,
          remember_for: 3600,
          session: { access_token: { plan: 'gold' }, id_token: { name: 'SDK User' } },
        },
      })

      const last = await visit(jar, granted.redirect_to)
      expect(last.status).toBe(303)
      const callback = new URL(last.location)
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
      expect(callback.searchParams.get('code')).toMatch(/^ory_ac_/)
      expect(callback.searchParams.get('state')).toBe(STATE)

      // The SDK sees the used request as gone (410 with redirect_to).
      await expect(api.getOAuth2LoginRequest({ loginChallenge })).rejects.toMatchObject({
        response: { status: 410, data: { redirect_to: login.request_url } },
      })

      // Second round: both login and consent are remembered.
      const again = await visit(jar, start(clientId))
      const challenge2 = new URL(again.location).searchParams.get('login_challenge') ?? ''
      const { data: login2 } = await api.getOAuth2LoginRequest({ loginChallenge: challenge2 })
      expect(login2).toMatchObject({ skip: true, subject: 'sdk-user' })
      const { data: accepted2 } = await api.acceptOAuth2LoginRequest({ loginChallenge: challenge2, acceptOAuth2LoginRequest: { subject: 'sdk-user' } })
      const toConsent2 = await visit(jar, accepted2.redirect_to)
      const { data: consent2 } = await api.getOAuth2ConsentRequest({
        consentChallenge: new URL(toConsent2.location).searchParams.get('consent_challenge') ?? '',
      })
      expect(consent2.skip).toBe(true)
    })

    it('sends a rejected login back to the client as access_denied', async () => {
      const clientId = await newClient()
      const jar = new CookieJar()
      const first = await visit(jar, start(clientId))
      const loginChallenge = new URL(first.location).searchParams.get('login_challenge') ?? ''
      const { data } = await api.rejectOAuth2LoginRequest({ loginChallenge, rejectOAuth2Request: { error_description: 'User cancelled.' } })
      const back = await visit(jar, data.redirect_to)
      expect(back.status).toBe(303)
      const q = new URL(back.location).searchParams
      expect(q.get('error')).toBe('access_denied')
      expect(q.get('error_description')).toBe('User cancelled.')
      expect(q.get('state')).toBe(STATE)
    })
  })
}
