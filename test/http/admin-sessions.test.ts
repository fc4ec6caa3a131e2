// The admin session endpoints (Hydra's listOAuth2ConsentSessions, revokeOAuth2ConsentSessions,
// revokeOAuth2LoginSessions), driven in-process against each configured database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZE_CODE_PREFIX, OpaqueTokens } from '../../src/oauth2/tokens/opaque-hmac.js'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, acceptConsent, acceptLogin, adminCall, createClient, startFlow, toClient, toConsent } from '../support/flow.js'
import { issueUnderConsent } from '../support/sessions.js'
import { basic, tokenCall } from '../support/tokens.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

for (const t of testDatabases()) {
  describe(`admin session endpoints on ${t.name}`, () => {
    let env: TestApps
    let clientA: string
    let clientB: string
    const clock = testClock()
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV, { clock })
      clientA = (await createClient(env)).client_id
      clientB = (await createClient(env)).client_id
    })
    afterAll(async () => env.close())

    const get = (url: string) => adminCall(env, 'GET', url)
    const del = (url: string) => env.admin.inject({ method: 'DELETE', url })
    const list = async (query: string) => {
      const res = await get(`/admin/oauth2/auth/sessions/consent?${query}`)
      expect(res.statusCode, res.body).toBe(200)
      return res
    }
    const consentRequest = async (challenge: string) =>
      (await get(`/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(challenge)}`)).json()
    const active = async (token: string) => {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(token)}` })
      expect(res.statusCode, res.body).toBe(200)
      return res.json().active as boolean
    }

    /** One whole remembered flow; returns what the consent recorded and the code the client got. */
    async function grant(jar: CookieJar, clientId: string, subject: string, consent: Record<string, unknown> = {}) {
      const challenge = await startFlow(env, jar, clientId)
      const consentChallenge = await toConsent(env, jar, await acceptLogin(env, challenge, { subject, remember: true, remember_for: 3600 }))
      const cr = await consentRequest(consentChallenge)
      const body = { grant_scope: ['openid', 'offline'], remember: true, remember_for: 3600, ...consent }
      const q = await toClient(env, jar, await acceptConsent(env, consentChallenge, body))
      return { consentRequestId: cr.consent_request_id as string, sid: cr.login_session_id as string, skip: cr.skip as boolean, code: q.get('code') ?? '' }
    }

    /** Whether the next flow in this browser skips login, and (after login) consent. */
    async function skips(jar: CookieJar, clientId: string, subject: string) {
      const challenge = await startFlow(env, jar, clientId)
      const login = (await get(`/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)).json()
      const consent = await consentRequest(await toConsent(env, jar, await acceptLogin(env, challenge, { subject })))
      return { login: login.skip as boolean, consent: consent.skip as boolean }
    }

    it('lists the consents a subject gave, as Hydra shows them', async () => {
      const jar = new CookieJar()
      const g = await grant(jar, clientA, 'lister', { session: { access_token: { plan: 'gold' }, id_token: { name: 'L' } }, context: { x: 1 } })
      // A remembered consent that was skipped, and a rejected one, are not sessions the user gave.
      expect((await grant(jar, clientA, 'lister')).skip).toBe(true)
      const jar2 = new CookieJar()
      const c2 = await toConsent(env, jar2, await acceptLogin(env, await startFlow(env, jar2, clientB), { subject: 'lister' }))
      expect((await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${c2}`, {})).statusCode).toBe(200)

      for (const prefix of ['/admin', '']) {
        const res = await get(`${prefix}/oauth2/auth/sessions/consent?subject=lister`)
        expect(res.statusCode, res.body).toBe(200)
        expect(res.headers['x-total-count']).toBe('1')
        const [s, ...rest] = res.json()
        expect(rest).toEqual([])
        expect(s).toMatchObject({
          consent_request_id: g.consentRequestId,
          grant_scope: ['openid', 'offline'],
          grant_access_token_audience: [],
          remember: true,
          remember_for: 3600,
          session: { access_token: { plan: 'gold' }, id_token: { name: 'L' } },
          context: { x: 1 },
          consent_request: {
            consent_request_id: g.consentRequestId,
            subject: 'lister',
            skip: false,
            login_session_id: g.sid,
            requested_scope: ['openid', 'offline'],
            client: { client_id: clientA },
          },
        })
        expect(Date.parse(s.handled_at)).not.toBeNaN()
        expect(s.consent_request.client.client_secret).toBeUndefined()
        expect(typeof s.consent_request.challenge).toBe('string')
      }

      // Narrowed to a login session; an unknown subject has none (200 with an empty list).
      expect((await list(`subject=lister&login_session_id=${g.sid}`)).json()).toHaveLength(1)
      expect((await list('subject=lister&login_session_id=other')).json()).toEqual([])
      const none = await list('subject=nobody-at-all')
      expect(none.json()).toEqual([])
      expect(none.headers['x-total-count']).toBe('0')
    })

    it('leaves out a consent whose remember_for has run out, as Hydra does', async () => {
      await grant(new CookieJar(), clientA, 'fleeting', { remember_for: 1 })
      expect((await list('subject=fleeting')).json()).toHaveLength(1)
      clock.advance(1100)
      const res = await list('subject=fleeting')
      expect(res.json()).toEqual([])
      // Counted all the same: Hydra counts before filtering.
      expect(res.headers['x-total-count']).toBe('1')
    })

    it('pages through the sessions with Link and X-Total-Count', async () => {
      const ids: string[] = []
      // Not remembered, so that each flow asks (a remembered consent would be skipped, and skipped ones are not listed).
      for (let i = 0; i < 3; i++) ids.push((await grant(new CookieJar(), clientA, 'pager', { remember: false })).consentRequestId)
      const first = await list('subject=pager&page_size=2')
      expect(first.headers['x-total-count']).toBe('3')
      const link = String(first.headers.link)
      expect(link).toContain('rel="first"')
      const next = /<([^>]+)>; rel="next"/.exec(link)?.[1]
      expect(next).toBeTruthy()
      const second = await get(next as string)
      expect(second.statusCode, second.body).toBe(200)
      expect(String(second.headers.link)).not.toContain('rel="next"')
      const seen = [...first.json(), ...second.json()].map((s: { consent_request_id: string }) => s.consent_request_id)
      expect(first.json()).toHaveLength(2)
      expect(seen.sort()).toEqual([...ids].sort())
    })

    it('revokes one client: its tokens and code die, its consent is asked again', async () => {
      const jar = new CookieJar()
      const a = await grant(jar, clientA, 'revoker')
      const b = await grant(jar, clientB, 'revoker')
      const ta = await issueUnderConsent(env.registry, { clientId: clientA, subject: 'revoker', consentRequestId: a.consentRequestId })
      const tb = await issueUnderConsent(env.registry, { clientId: clientB, subject: 'revoker', consentRequestId: b.consentRequestId })
      expect(await active(ta.accessToken)).toBe(true)

      expect((await del(`/admin/oauth2/auth/sessions/consent?subject=revoker&client=${clientA}`)).statusCode).toBe(204)
      expect(await active(ta.accessToken)).toBe(false)
      expect(await active(ta.refreshToken)).toBe(false)
      expect(await active(tb.accessToken)).toBe(true)
      expect(await active(tb.refreshToken)).toBe(true)
      const codeSignature = new OpaqueTokens(new HmacKeys(env.registry.config.secrets.system)).signatureOf(a.code, AUTHORIZE_CODE_PREFIX)
      expect(await env.registry.storage.autocommit.codes.get(codeSignature ?? '')).toBeUndefined()
      expect((await list('subject=revoker')).json().map((s: { consent_request_id: string }) => s.consent_request_id)).toEqual([b.consentRequestId])
      // The login stays remembered; only the consent for A is forgotten.
      expect(await skips(jar, clientA, 'revoker')).toEqual({ login: true, consent: false })
      expect(await skips(jar, clientB, 'revoker')).toEqual({ login: true, consent: true })
    })

    it('revokes every client with all=true, and one consent by consent_request_id', async () => {
      const jar = new CookieJar()
      const a = await grant(jar, clientA, 'all-out')
      const b = await grant(jar, clientB, 'all-out')
      const ta = await issueUnderConsent(env.registry, { clientId: clientA, subject: 'all-out', consentRequestId: a.consentRequestId })
      const tb = await issueUnderConsent(env.registry, { clientId: clientB, subject: 'all-out', consentRequestId: b.consentRequestId })
      expect((await del('/oauth2/auth/sessions/consent?subject=all-out&all=true')).statusCode).toBe(204)
      for (const token of [ta.accessToken, ta.refreshToken, tb.accessToken, tb.refreshToken]) expect(await active(token)).toBe(false)
      expect((await list('subject=all-out')).json()).toEqual([])
      expect(await skips(jar, clientB, 'all-out')).toEqual({ login: true, consent: false })

      const c = await grant(new CookieJar(), clientA, 'by-id', { remember: false })
      const d = await grant(new CookieJar(), clientA, 'by-id', { remember: false })
      const tc = await issueUnderConsent(env.registry, { clientId: clientA, subject: 'by-id', consentRequestId: c.consentRequestId })
      expect((await del(`/admin/oauth2/auth/sessions/consent?consent_request_id=${c.consentRequestId}`)).statusCode).toBe(204)
      expect(await active(tc.accessToken)).toBe(false)
      expect((await list('subject=by-id')).json().map((s: { consent_request_id: string }) => s.consent_request_id)).toEqual([d.consentRequestId])
    })

    it('revokes tokens from a real code exchange, refreshed ones included', async () => {
      const client = await createClient(env)
      const g = await grant(new CookieJar(), client.client_id, 'exchanger')
      const first = await tokenCall(env, { grant_type: 'authorization_code', code: g.code, redirect_uri: REDIRECT_URI }, basic(client))
      expect(first.statusCode, first.body).toBe(200)
      const refreshed = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: first.json().refresh_token }, basic(client))
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      const { access_token: at, refresh_token: rt } = refreshed.json()
      expect(await active(at)).toBe(true)

      expect((await del(`/admin/oauth2/auth/sessions/consent?subject=exchanger&client=${client.client_id}`)).statusCode).toBe(204)
      expect(await active(at)).toBe(false)
      expect(await active(rt)).toBe(false)
      const again = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: rt }, basic(client))
      expect(again.statusCode, again.body).toBe(400)
    })

    it('answers 204 when there is nothing to revoke', async () => {
      for (const q of ['subject=ghost&all=true', `subject=ghost&client=${clientA}`, 'subject=ghost&client=no-such-client', 'consent_request_id=nope']) {
        expect((await del(`/admin/oauth2/auth/sessions/consent?${q}`)).statusCode, q).toBe(204)
      }
      for (const q of ['subject=ghost', 'sid=no-such-session']) expect((await del(`/admin/oauth2/auth/sessions/login?${q}`)).statusCode, q).toBe(204)
    })

    it('revokes remembered logins by subject and by sid', async () => {
      const jar = new CookieJar()
      await grant(jar, clientA, 'logout-me')
      const bystander = new CookieJar()
      await grant(bystander, clientA, 'stay')
      expect((await del('/admin/oauth2/auth/sessions/login?subject=logout-me')).statusCode).toBe(204)
      // Consent is still remembered; only the login is gone.
      expect(await skips(jar, clientA, 'logout-me')).toEqual({ login: false, consent: true })
      expect((await skips(bystander, clientA, 'stay')).login).toBe(true)

      const one = new CookieJar()
      const g = await grant(one, clientA, 'by-sid')
      const other = new CookieJar()
      await grant(other, clientA, 'by-sid')
      expect((await del(`/oauth2/auth/sessions/login?sid=${g.sid}`)).statusCode).toBe(204)
      expect((await skips(one, clientA, 'by-sid')).login).toBe(false)
      expect((await skips(other, clientA, 'by-sid')).login).toBe(true)
    })

    it('refuses missing or contradictory parameters with 400 and a hint', async () => {
      const cases: Array<[string, string, string]> = [
        ['GET', '/admin/oauth2/auth/sessions/consent', "Query parameter 'subject' is not defined but should have been."],
        ['GET', '/admin/oauth2/auth/sessions/consent?subject=x&page_size=0', 'page_size = "0" must be a positive integer.'],
        ['GET', '/admin/oauth2/auth/sessions/consent?subject=x&page_token=garbage', 'The page_token is invalid or has expired.'],
        ['GET', '/admin/oauth2/auth/sessions/consent?subject=x&subject=y', "Query parameter 'subject' must only be given once."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent', "Query parameter 'subject' (or 'consent_request_id') is not defined but should have been."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=x', "Either query parameter 'client' or 'all=true' must be set to choose whose consent sessions to revoke."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=x&client=c&all=true', "Query parameters 'client' and 'all=true' cannot be combined: choose one client or all of them."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent?consent_request_id=r&subject=x', "Query parameter 'consent_request_id' cannot be combined with 'subject' or 'client'."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=x&all=yes', "Query parameter 'all' must be 'true' or 'false'."],
        ['DELETE', '/admin/oauth2/auth/sessions/consent?client=c', "Query parameter 'subject' (or 'consent_request_id') is not defined but should have been."],
        ['DELETE', '/admin/oauth2/auth/sessions/login', "Either 'subject' or 'sid' query parameters need to be defined."],
        ['DELETE', '/admin/oauth2/auth/sessions/login?subject=', "Either 'subject' or 'sid' query parameters need to be defined."],
      ]
      for (const [method, url, hint] of cases) {
        const res = await env.admin.inject({ method: method as 'GET' | 'DELETE', url })
        expect({ status: res.statusCode, error: res.json().error, hint: res.json().error_hint }, url).toEqual({ status: 400, error: 'invalid_request', hint })
      }
    })
  })
}
