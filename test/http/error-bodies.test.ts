// The error bodies of each endpoint's failure cases, pinned whole (status, error,
// error_description, error_hint, status_code) in one file snapshot shared by every database: a
// change of wording or status anywhere shows up here, and the answer is the same on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { FLOW_ENV } from '../support/flow.js'

type Listener = 'public' | 'admin'
interface Case {
  what: string
  on: Listener
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  json?: unknown
  form?: string
  headers?: Record<string, string>
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const CASES: Case[] = [
  // Public listener.
  { what: 'token: no grant_type', on: 'public', method: 'POST', url: '/oauth2/token', form: '', headers: { authorization: basic('nobody', 'x') } },
  { what: 'token: unknown client', on: 'public', method: 'POST', url: '/oauth2/token', form: 'grant_type=client_credentials', headers: { authorization: basic('nobody', 'x') } },
  { what: 'token: no client authentication', on: 'public', method: 'POST', url: '/oauth2/token', form: 'grant_type=client_credentials' },
  { what: 'token: unsupported grant type', on: 'public', method: 'POST', url: '/oauth2/token', form: 'grant_type=password&client_id=nobody' },
  { what: 'token: repeated parameter', on: 'public', method: 'POST', url: '/oauth2/token', form: 'grant_type=client_credentials&grant_type=client_credentials' },
  { what: 'token: JSON body', on: 'public', method: 'POST', url: '/oauth2/token', json: { grant_type: 'client_credentials' } },
  { what: 'token: GET', on: 'public', method: 'GET', url: '/oauth2/token' },
  { what: 'revoke: no token', on: 'public', method: 'POST', url: '/oauth2/revoke', form: '' },
  { what: 'revoke: unknown client', on: 'public', method: 'POST', url: '/oauth2/revoke', form: 'token=abc', headers: { authorization: basic('nobody', 'x') } },
  { what: 'userinfo: no token', on: 'public', method: 'GET', url: '/userinfo' },
  { what: 'userinfo: unknown token', on: 'public', method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer ory_at_unknown.unknown' } },
  { what: 'device authorization: no client', on: 'public', method: 'POST', url: '/oauth2/device/auth', form: '' },
  { what: 'device authorization: unknown client', on: 'public', method: 'POST', url: '/oauth2/device/auth', form: 'client_id=nobody' },
  { what: 'registration: bad metadata', on: 'public', method: 'POST', url: '/oauth2/register', json: { redirect_uris: 'not-a-list' } },
  { what: 'registration: read without token', on: 'public', method: 'GET', url: '/oauth2/register/nobody' },
  { what: 'registration: form body', on: 'public', method: 'POST', url: '/oauth2/register', form: 'client_name=x' },
  { what: 'public: unknown route', on: 'public', method: 'GET', url: '/no/such/route' },
  // Admin listener: clients.
  { what: 'clients: redirect_uris not a list', on: 'admin', method: 'POST', url: '/admin/clients', json: { redirect_uris: 'not-a-list' } },
  { what: 'clients: unknown grant type', on: 'admin', method: 'POST', url: '/admin/clients', json: { grant_types: ['password'] } },
  { what: 'clients: not an object', on: 'admin', method: 'POST', url: '/admin/clients', json: [] },
  { what: 'clients: form body', on: 'admin', method: 'POST', url: '/admin/clients', form: 'client_name=x' },
  { what: 'clients: bad page size', on: 'admin', method: 'GET', url: '/admin/clients?page_size=many' },
  { what: 'clients: unknown id', on: 'admin', method: 'GET', url: '/admin/clients/unknown' },
  { what: 'clients: replace unknown', on: 'admin', method: 'PUT', url: '/admin/clients/unknown', json: {} },
  { what: 'clients: patch unknown', on: 'admin', method: 'PATCH', url: '/admin/clients/unknown', json: [] },
  { what: 'clients: delete unknown', on: 'admin', method: 'DELETE', url: '/admin/clients/unknown' },
  { what: 'clients: lifespans of unknown', on: 'admin', method: 'PUT', url: '/admin/clients/unknown/lifespans', json: {} },
  // Keys.
  { what: 'keys: create without alg', on: 'admin', method: 'POST', url: '/admin/keys/s', json: { use: 'sig' } },
  { what: 'keys: unknown set', on: 'admin', method: 'GET', url: '/admin/keys/unknown' },
  { what: 'keys: unknown key', on: 'admin', method: 'GET', url: '/admin/keys/unknown/kid' },
  { what: 'keys: import not a set', on: 'admin', method: 'PUT', url: '/admin/keys/s', json: { keys: 'nope' } },
  { what: 'keys: import not a key', on: 'admin', method: 'PUT', url: '/admin/keys/s/k', json: 'nope' },
  // Tokens.
  { what: 'introspect: no token', on: 'admin', method: 'POST', url: '/admin/oauth2/introspect', form: '' },
  { what: 'introspect: GET', on: 'admin', method: 'GET', url: '/admin/oauth2/introspect' },
  { what: 'delete tokens: no client_id', on: 'admin', method: 'DELETE', url: '/admin/oauth2/tokens' },
  // Login, consent, logout and device requests.
  { what: 'login request: no challenge', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/requests/login' },
  { what: 'login request: malformed challenge', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/requests/login?login_challenge=nonsense' },
  { what: 'login accept: no challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/login/accept', json: { subject: 'u' } },
  { what: 'login reject: malformed challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/login/reject?login_challenge=x', json: {} },
  { what: 'consent request: no challenge', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/requests/consent' },
  { what: 'consent accept: malformed challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/consent/accept?consent_challenge=x', json: {} },
  { what: 'consent reject: no challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/consent/reject', json: {} },
  { what: 'logout request: no challenge', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/requests/logout' },
  { what: 'logout accept: malformed challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/logout/accept?logout_challenge=x' },
  { what: 'logout reject: no challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/logout/reject' },
  { what: 'device accept: no challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/device/accept', json: { user_code: 'ABCD-EFGH' } },
  { what: 'device accept: malformed challenge', on: 'admin', method: 'PUT', url: '/admin/oauth2/auth/requests/device/accept?device_challenge=x', json: { user_code: 'ABCD-EFGH' } },
  { what: 'logout request: malformed challenge', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/requests/logout?logout_challenge=nonsense' },
  // Sessions.
  { what: 'consent sessions: no subject', on: 'admin', method: 'GET', url: '/admin/oauth2/auth/sessions/consent' },
  { what: 'revoke consent sessions: no subject', on: 'admin', method: 'DELETE', url: '/admin/oauth2/auth/sessions/consent' },
  { what: 'revoke login sessions: no subject', on: 'admin', method: 'DELETE', url: '/admin/oauth2/auth/sessions/login' },
  // Trust relationships.
  { what: 'trust: empty body', on: 'admin', method: 'POST', url: '/admin/trust/grants/jwt-bearer/issuers', json: {} },
  { what: 'trust: unknown id', on: 'admin', method: 'GET', url: '/admin/trust/grants/jwt-bearer/issuers/unknown' },
  { what: 'trust: bad page token', on: 'admin', method: 'GET', url: '/admin/trust/grants/jwt-bearer/issuers?page_token=garbage' },
  { what: 'admin: unknown route', on: 'admin', method: 'GET', url: '/admin/no/such/route' },
]

const PINNED = ['error', 'error_description', 'error_hint', 'status_code'] as const

for (const t of testDatabases()) {
  describe(`error bodies on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
    })
    afterAll(async () => env.close())

    it('are pinned for every endpoint', async () => {
      const seen: Array<Record<string, unknown>> = []
      for (const c of CASES) {
        const app: FastifyInstance = c.on === 'public' ? env.public : env.admin
        const headers = { ...(c.form !== undefined ? FORM : {}), ...c.headers }
        const payload = c.form ?? (c.json === undefined ? undefined : JSON.stringify(c.json))
        if (c.json !== undefined) headers['content-type'] ??= 'application/json'
        const res = await app.inject({ method: c.method, url: c.url, headers, ...(payload === undefined ? {} : { payload }) })
        const body = res.json<Record<string, unknown>>()
        seen.push({ what: c.what, status: res.statusCode, ...Object.fromEntries(PINNED.filter((k) => k in body).map((k) => [k, body[k]])) })
      }
      await expect(`${JSON.stringify(seen, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/error-bodies.json')
    })
  })
}
