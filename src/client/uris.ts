// URL rules for client metadata. Redirect URIs are kept byte for byte as registered because
// they are later compared by exact string match (RFC 6749 §3.1.2, OAuth 2.0 Security BCP §4.1.3).
import type { OAuthError } from '../oauth2/errors.js'
import { invalidClientMetadata, invalidRedirectUri } from '../oauth2/errors.js'
import { show } from './fields.js'

type Fail = (hint: string) => OAuthError

// Schemes that run code or read local files in the user agent.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:'])
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u

export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname)

const isHttp = (u: URL): boolean => u.protocol === 'http:' || u.protocol === 'https:'

function parseAbsolute(field: string, value: string, fail: Fail): URL {
  // The URL parser trims and strips whitespace, which would make the stored and the parsed
  // value differ.
  const u = WHITESPACE_OR_CONTROL.test(value) || !URL.canParse(value) ? undefined : new URL(value)
  if (!u) throw fail(`Field ${field} contains ${show(value)}, which is not an absolute URI.`)
  if (FORBIDDEN_SCHEMES.has(u.protocol)) {
    throw fail(`Field ${field} contains ${show(value)}, whose scheme ${u.protocol} is not allowed.`)
  }
  // WHATWG parsing accepts "https:example.com" and "https:/example.com"; require an authority.
  if (isHttp(u) && !value.toLowerCase().startsWith(`${u.protocol}//`)) {
    throw fail(`Field ${field} contains ${show(value)}, which must have the form ${u.protocol}//host/path.`)
  }
  return u
}

function checkRedirectLike(field: string, value: string, dev: boolean, fail: Fail): URL {
  const u = parseAbsolute(field, value, fail)
  if (value.includes('#')) {
    throw fail(`Field ${field} contains ${show(value)}, which must not contain a fragment (#).`)
  }
  // RFC 8252 §7.3 permits plain http only for loopback redirects of native apps.
  if (u.protocol === 'http:' && !dev && !isLoopbackHost(u.hostname)) {
    throw fail(`Field ${field} contains ${show(value)}, which must use https (http is only allowed for 127.0.0.1, [::1] and localhost).`)
  }
  return u
}

/** redirect_uris: absolute, no fragment, https or loopback http, or a private-use scheme (RFC 8252 §7.1). */
export function checkRedirectUris(values: string[], dev: boolean): URL[] {
  return values.map((v) => checkRedirectLike('redirect_uris', v, dev, invalidRedirectUri))
}

/**
 * post_logout_redirect_uris: the redirect URI rules, and, as in Hydra, each must share
 * scheme, host and port with one of the redirect URIs.
 */
export function checkPostLogoutRedirectUris(values: string[], redirects: URL[], dev: boolean): void {
  for (const v of values) {
    const u = checkRedirectLike('post_logout_redirect_uris', v, dev, invalidClientMetadata)
    const matches = redirects.some((r) => r.protocol === u.protocol && r.host === u.host)
    if (!matches) {
      throw invalidClientMetadata(
        `Field post_logout_redirect_uris contains ${show(v)}, which must match the scheme, host and port of one of the redirect_uris.`,
      )
    }
  }
}

export interface WebUriRules {
  dev: boolean
  /** Whether http is acceptable for loopback hosts outside dev mode. */
  loopbackHttp: boolean
}

/** An absolute http(s) URL the server or the user agent fetches; '' passes (not set). */
export function checkWebUri(field: string, value: string, rules: WebUriRules): void {
  if (value === '') return
  const u = parseAbsolute(field, value, invalidClientMetadata)
  if (!isHttp(u)) {
    throw invalidClientMetadata(`Field ${field} contains ${show(value)}, which must be an http(s) URL.`)
  }
  const httpAllowed = rules.dev || (rules.loopbackHttp && isLoopbackHost(u.hostname))
  if (u.protocol === 'http:' && !httpAllowed) {
    throw invalidClientMetadata(`Field ${field} contains ${show(value)}, which must use https.`)
  }
}

/** allowed_cors_origins: `scheme://host[:port]` only; returns the serialised origin. */
export function normaliseCorsOrigin(value: string): string {
  const fail = (why: string) =>
    invalidClientMetadata(`Field allowed_cors_origins contains ${show(value)}, which ${why}.`)
  if (value.includes('*')) throw fail('must not contain wildcards (*)')
  const u = parseAbsolute('allowed_cors_origins', value, invalidClientMetadata)
  if (!isHttp(u)) throw fail('must use http or https')
  if (u.username !== '' || u.password !== '') throw fail('must not contain a user or password')
  // A lone trailing slash is tolerated (Hydra trims it); anything else is not an origin.
  // Checked on the text because the parser resolves dot segments and backslashes.
  const afterScheme = value.slice(u.protocol.length + 2).replace(/\/$/, '')
  if (/[/\\?#]/.test(afterScheme)) {
    throw fail('must not contain a path, query or fragment')
  }
  return u.origin
}
