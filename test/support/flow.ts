// Drives the authorization endpoint and the admin login/consent API in-process, as a browser and
// a login & consent app would, carrying cookies by hand.
import { expect } from 'vitest'
import type { TestApps } from './app.js'
import { CookieJar, pathOf, queryOf } from './browser.js'

export const LOGIN_URL = 'https://login.example.com/login'
export const CONSENT_URL = 'https://consent.example.com/consent'
export const REDIRECT_URI = 'https://app.example.com/cb'
export const STATE = 'state-1234567890'

/** Configuration that points login and consent at recognisable URLs. */
export const FLOW_ENV = { URLS_LOGIN: LOGIN_URL, URLS_CONSENT: CONSENT_URL }

/** The operator's device pages (urls.device.*) and a short polling interval, for device-flow tests. */
export const DEVICE_UI = 'https://device.example.com/verify'
export const DEVICE_DONE = 'https://device.example.com/done'
export const DEVICE_ENV = {
  ...FLOW_ENV,
  URLS_DEVICE_VERIFICATION: DEVICE_UI,
  URLS_DEVICE_SUCCESS: DEVICE_DONE,
  OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '1s',
}
/** RFC 8628 §6.1: eight letters from an alphabet without vowels or look-alikes, shown as XXXX-XXXX. */
export const USER_CODE_FORMAT = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/

export interface TestClient {
  client_id: string
  client_secret?: string
}

export async function createClient(env: TestApps, body: Record<string, unknown> = {}): Promise<TestClient> {
  const res = await env.admin.inject({
    method: 'POST',
    url: '/admin/clients',
    payload: {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline profile',
      ...body,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as TestClient
}

export function authorizePath(clientId: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid offline',
    redirect_uri: REDIRECT_URI,
    state: STATE,
    ...extra,
  })
  return `/oauth2/auth?${params.toString()}`
}

/** A browser GET on the public app; cookies go out from and come back into the jar. */
export async function browse(env: TestApps, jar: CookieJar, url: string) {
  const cookie = jar.header()
  const res = await env.public.inject({ method: 'GET', url: url.startsWith('/') ? url : pathOf(url), headers: cookie ? { cookie } : {} })
  jar.store(res.headers['set-cookie'])
  return res
}

export async function adminCall(env: TestApps, method: 'GET' | 'PUT', url: string, payload?: unknown) {
  return env.admin.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) })
}

/** Starts a flow and returns the login challenge the browser was sent to the login app with. */
export async function startFlow(env: TestApps, jar: CookieJar, clientId: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await browse(env, jar, authorizePath(clientId, extra))
  expect(res.statusCode, res.headers.location).toBe(302)
  const location = String(res.headers.location)
  expect(location.startsWith(LOGIN_URL)).toBe(true)
  const challenge = queryOf(location).get('login_challenge')
  expect(challenge).toBeTruthy()
  return challenge as string
}

export async function acceptLogin(env: TestApps, challenge: string, body: Record<string, unknown> = { subject: 'user-1' }): Promise<string> {
  const res = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, body)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json() as { redirect_to: string }).redirect_to
}

/** Follows the login verifier and returns the consent challenge. */
export async function toConsent(env: TestApps, jar: CookieJar, redirectTo: string): Promise<string> {
  const res = await browse(env, jar, redirectTo)
  expect(res.statusCode, String(res.headers.location)).toBe(302)
  const location = String(res.headers.location)
  expect(location.startsWith(CONSENT_URL), location).toBe(true)
  return queryOf(location).get('consent_challenge') as string
}

export async function acceptConsent(
  env: TestApps,
  challenge: string,
  body: Record<string, unknown> = { grant_scope: ['openid', 'offline'] },
): Promise<string> {
  const res = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(challenge)}`, body)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json() as { redirect_to: string }).redirect_to
}

/** Follows a verifier whose answer goes to the client; returns the client's query parameters. */
export async function toClient(env: TestApps, jar: CookieJar, redirectTo: string): Promise<URLSearchParams> {
  const res = await browse(env, jar, redirectTo)
  expect(res.statusCode, res.body).toBe(303)
  const location = String(res.headers.location)
  expect(location.startsWith(`${REDIRECT_URI}?`), location).toBe(true)
  return queryOf(location)
}

/** The whole flow, accepting everything; returns the client's query parameters. */
export async function fullFlow(
  env: TestApps,
  jar: CookieJar,
  clientId: string,
  opts: { extra?: Record<string, string>; login?: Record<string, unknown>; consent?: Record<string, unknown> } = {},
): Promise<URLSearchParams> {
  const challenge = await startFlow(env, jar, clientId, opts.extra)
  const consent = await toConsent(env, jar, await acceptLogin(env, challenge, opts.login))
  return toClient(env, jar, await acceptConsent(env, consent, opts.consent))
}

export { CookieJar }
