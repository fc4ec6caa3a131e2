// A fetch-based "browser" for login & consent apps over real sockets: no redirects followed,
// cookies carried in a jar, forms posted urlencoded.
import type { AcceptOAuth2ConsentRequest, OAuth2Api } from '@ory/hydra-client'
import type { CookieJar } from './browser.js'

export interface Visit {
  status: number
  location: string
  text: string
  headers: Headers
}

/** GET (or POST `form`) `url`; with `base`, the URL's origin is replaced by the base's (port 0 in config). */
export async function visit(jar: CookieJar, url: string, form?: Record<string, string | string[]>, base?: string): Promise<Visit> {
  let target = url
  if (base !== undefined) {
    const u = new URL(url, base)
    target = new URL(`${u.pathname}${u.search}`, base).href
  }
  const headers: Record<string, string> = jar.header() ? { cookie: jar.header() } : {}
  let body: string | undefined
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]))).toString()
  }
  const res = await fetch(target, { method: form ? 'POST' : 'GET', body, headers, redirect: 'manual' })
  jar.store(res.headers.getSetCookie())
  return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text(), headers: res.headers }
}

const unescape = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The value of a hidden input of an HTML page. */
export const hiddenField = (page: string, name: string): string => unescape(new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '')

/**
 * The login and consent app's part of an authorization request, through the admin API as a Hydra
 * login app does it: the login is accepted for `subject`, the consent with `consent`. Returns the
 * URL the browser is sent back to the client with.
 */
export async function signInThroughAdmin(api: OAuth2Api, jar: CookieJar, authorizationUrl: string, subject: string, consent: AcceptOAuth2ConsentRequest): Promise<URL> {
  const toLogin = await visit(jar, authorizationUrl)
  const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
  const { data: login } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject } })
  const toConsent = await visit(jar, login.redirect_to)
  const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
  const { data: granted } = await api.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest: consent })
  const callback = await visit(jar, granted.redirect_to)
  return new URL(callback.location)
}
