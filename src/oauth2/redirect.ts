// Matching the redirect_uri of an authorization request against the client's registered ones.
// RFC 6749 §3.1.2.3 and the OAuth 2.0 Security BCP §4.1.3 call for exact string comparison; the
// one exception is RFC 8252 §7.3: a native app's loopback redirect may use any port.

// http on a loopback IP literal, then the optional port, then path and query taken verbatim.
// Names like "localhost" are not loopback literals (RFC 8252 §8.3).
const LOOPBACK = /^http:\/\/(127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/

interface LoopbackParts {
  host: string
  rest: string
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const m = LOOPBACK.exec(uri)
  if (!m) return undefined
  const port = m[2]
  if (port !== undefined && Number(port) > 65535) return undefined
  return { host: m[1] ?? '', rest: m[3] ?? '' }
}

/**
 * The registered redirect URI `requested` matches, or undefined. A loopback URI matches a
 * registered loopback URI with the same host, path and query on any port; the requested value
 * (with its port) is then the one to redirect to.
 */
export function matchRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  if (registered.includes(requested)) return requested
  const asked = loopbackParts(requested)
  if (!asked) return undefined
  for (const r of registered) {
    const known = loopbackParts(r)
    if (known && known.host === asked.host && known.rest === asked.rest) return requested
  }
  return undefined
}

/**
 * RFC 6749 §3.1.2: an absolute URI without a fragment. Whitespace and control characters make
 * the string differ from what a parser would use, so they disqualify it too.
 */
export function isValidRedirectUri(uri: string): boolean {
  if (uri.includes('#') || /[\s\p{Cc}]/u.test(uri) || !URL.canParse(uri)) return false
  const u = new URL(uri)
  if (u.protocol === 'http:' || u.protocol === 'https:') return uri.toLowerCase().startsWith(`${u.protocol}//`) && u.host !== ''
  return true
}

const isLocalhostName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost')

/** True for a loopback literal or a *.localhost name: hosts that never leave the machine. */
export function isLocalhost(uri: string): boolean {
  if (!URL.canParse(uri)) return false
  const host = new URL(uri).hostname
  return isLocalhostName(host) || loopbackParts(`http://${host}`) !== undefined
}

/**
 * fosite's IsRedirectURISecure: anything but plain http to a host that is not local. Private-use
 * schemes of native apps (RFC 8252 §7.1) count as secure.
 */
export function isSecureRedirectUri(uri: string): boolean {
  if (!URL.canParse(uri)) return false
  return new URL(uri).protocol !== 'http:' || isLocalhost(uri)
}

/** https, or http to a local host: redirect URIs that let a public client be recognised (RFC 8252 §8.6). */
export function identifiesClient(uri: string): boolean {
  if (!URL.canParse(uri)) return false
  const protocol = new URL(uri).protocol
  return protocol === 'https:' || (protocol === 'http:' && isLocalhost(uri))
}
