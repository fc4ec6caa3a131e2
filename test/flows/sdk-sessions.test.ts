// The session endpoints through the official @ory/hydra-client SDK over real sockets: list a
// subject's consent sessions, revoke them, revoke the remembered login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Api } from '@ory/hydra-client'
import type { Registry } from '../../src/registry.js'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit as visitAt } from '../support/fetch-browser.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'
import { FLOW_ENV, REDIRECT_URI, STATE } from '../support/flow.js'
import { issueUnderConsent } from '../support/sessions.js'

for (const t of testDatabases()) {
  describe(`session admin with @ory/hydra-client on ${t.name}`, () => {
    let registry: Registry
    let running: SocketServer
    let api: OAuth2Api
    let publicUrl: string

    beforeAll(async () => {
      running = await startSocketServer(t, FLOW_ENV)
      registry = running.registry
      publicUrl = running.publicUrl
      api = running.api
    })
    afterAll(async () => {
      await running?.close()
    })

    const visit = async (jar: CookieJar, url: string): Promise<string> => (await visitAt(jar, url, undefined, publicUrl)).location

    const start = (clientId: string) =>
      `/oauth2/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: STATE })}`

    /** Logs `subject` in (remembered) and grants consent (remembered) in this browser. */
    async function grant(jar: CookieJar, clientId: string, subject: string) {
      const loginChallenge = new URL(await visit(jar, start(clientId))).searchParams.get('login_challenge') ?? ''
      const { data: login } = await api.getOAuth2LoginRequest({ loginChallenge })
      const { data: accepted } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject, remember: true } })
      const consentChallenge = new URL(await visit(jar, accepted.redirect_to)).searchParams.get('consent_challenge') ?? ''
      const { data: consent } = await api.getOAuth2ConsentRequest({ consentChallenge })
      const { data: granted } = await api.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: { grant_scope: ['openid', 'offline'], remember: true, remember_for: 3600 },
      })
      await visit(jar, granted.redirect_to)
      return { login, consent }
    }

    it('lists and revokes consent sessions, then the login session', async () => {
      const { data: client } = await api.createOAuth2Client({
        oAuth2Client: { redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline' },
      })
      const clientId = client.client_id ?? ''
      const jar = new CookieJar()
      const { consent } = await grant(jar, clientId, 'sdk-subject')
      const consentRequestId = consent.consent_request_id ?? ''
      const tokens = await issueUnderConsent(registry, { clientId, subject: 'sdk-subject', consentRequestId })

      const listed = await api.listOAuth2ConsentSessions({ subject: 'sdk-subject', pageSize: 10 })
      expect(listed.status).toBe(200)
      expect(listed.headers['x-total-count']).toBe('1')
      expect(listed.data).toHaveLength(1)
      expect(listed.data[0]).toMatchObject({
        consent_request_id: consentRequestId,
        grant_scope: ['openid', 'offline'],
        remember: true,
        remember_for: 3600,
        consent_request: { subject: 'sdk-subject', client: { client_id: clientId } },
      })

      // The SDK's own parameter checks aside, the server refuses an ambiguous revocation.
      await expect(api.revokeOAuth2ConsentSessions({ subject: 'sdk-subject' })).rejects.toMatchObject({
        response: { status: 400, data: { error: 'invalid_request' } },
      })

      const revoked = await api.revokeOAuth2ConsentSessions({ subject: 'sdk-subject', client: clientId })
      expect(revoked.status).toBe(204)
      expect((await api.listOAuth2ConsentSessions({ subject: 'sdk-subject' })).data).toEqual([])
      const { data: introspected } = await api.introspectOAuth2Token({ token: tokens.accessToken })
      expect(introspected.active).toBe(false)

      // The login is still remembered until it is revoked too.
      const again = new URL(await visit(jar, start(clientId))).searchParams.get('login_challenge') ?? ''
      expect((await api.getOAuth2LoginRequest({ loginChallenge: again })).data.skip).toBe(true)
      expect((await api.revokeOAuth2LoginSessions({ subject: 'sdk-subject' })).status).toBe(204)
      const after = new URL(await visit(jar, start(clientId))).searchParams.get('login_challenge') ?? ''
      expect((await api.getOAuth2LoginRequest({ loginChallenge: after })).data.skip).toBe(false)

      // By sid, and with all=true: both fine when there is nothing left (204).
      expect((await api.revokeOAuth2LoginSessions({ sid: 'gone' })).status).toBe(204)
      expect((await api.revokeOAuth2ConsentSessions({ subject: 'sdk-subject', all: true })).status).toBe(204)
    })
  })
}
