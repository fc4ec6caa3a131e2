// The public keys a client publishes at its jwks_uri (RFC 7591 §2, OpenID Connect Registration
// §2), for private_key_jwt assertions and signed request objects. Fetched with the bounded GET
// (https only outside dev, 5 s, 1 MiB, no redirects), kept per URI for a short time, and
// refetched for an unknown `kid` at most once per cooldown, so a client can rotate its keys but
// nobody can make us hammer its URI. Only the public members of each key are kept.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWK, type JWTVerifyGetKey, type LocalJWKSet } from 'jose'
import { unrestrictedOutbound, type OutboundFetcher } from '../outbound/fetcher.js'
import { publicJwk, type Jwk } from '../jwk/model.js'

/** Why the keys at a jwks_uri cannot be used; the message is safe to show (no key material). */
export class JwksUriError extends Error {
  override name = 'JwksUriError'
}

export interface ClientKeySetsOptions {
  /** Dev mode: plain http jwks_uris are fetched too. */
  dev: boolean
  /** GETs exactly `uri`; default: the bounded outbound fetcher. Throws an Error with a safe message. */
  fetch?: (uri: string) => Promise<string>
  /** The bounded outbound fetcher the default fetch uses (address policy included). */
  outbound?: OutboundFetcher
  /** Timeout of the default fetch (default 5 s). */
  timeoutMs?: number
  /** How long a fetched set is used (default 5 minutes). */
  ttlMs?: number
  /** Least time between two fetches of one URI, also after a failure (default 30 s). */
  cooldownMs?: number
  /** Bound of the number of URIs remembered (default 1000). */
  maxEntries?: number
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number
}

interface Entry {
  /** The last attempt's outcome. */
  result: LocalJWKSet | JwksUriError
  /** When that attempt started. */
  at: number
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses a JWK Set document, keeping only the public halves of asymmetric keys. */
export function publicKeySet(text: string): JSONWebKeySet {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new JwksUriError('the document is not valid JSON')
  }
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw new JwksUriError('the document is not a JSON Web Key Set')
  const keys: JWK[] = []
  for (const k of doc.keys) {
    if (!isObject(k) || typeof k.kty !== 'string') continue
    const pub = publicJwk(k as unknown as Jwk)
    if (pub) keys.push(pub)
  }
  if (keys.length === 0) throw new JwksUriError('the JSON Web Key Set has no public keys')
  return { keys }
}

const UNUSABLE_JWKS = 'the keys could not be fetched from it'

export class ClientKeySets {
  private readonly entries = new Map<string, Entry>()
  private readonly inflight = new Map<string, Promise<LocalJWKSet>>()
  private readonly fetch: (uri: string) => Promise<string>
  private readonly now: () => number
  private readonly ttlMs: number
  private readonly cooldownMs: number
  private readonly maxEntries: number

  constructor(private readonly opts: ClientKeySetsOptions) {
    const outbound = opts.outbound ?? unrestrictedOutbound
    this.fetch = opts.fetch ?? ((uri) => outbound.getText(uri, { accept: 'application/jwk-set+json, application/json', ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }))
    this.now = opts.now ?? Date.now
    this.ttlMs = opts.ttlMs ?? 5 * 60_000
    this.cooldownMs = opts.cooldownMs ?? 30_000
    this.maxEntries = opts.maxEntries ?? 1000
  }

  /**
   * A jose key resolver over the keys at `uri`. Rejects with JwksUriError when they cannot be
   * fetched, and with jose's JWKSNoMatchingKey when no key fits, even after a permitted refetch.
   */
  resolver(uri: string): JWTVerifyGetKey {
    return async (header, token) => {
      const first = await this.load(uri, false)
      try {
        return await first(header, token)
      } catch (e) {
        if (!(e instanceof errors.JWKSNoMatchingKey)) throw e
        // An unknown kid: the client may have rotated its keys.
        const again = await this.load(uri, true)
        if (again === first) throw e
        return again(header, token)
      }
    }
  }

  private checkScheme(uri: string): string {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw new JwksUriError('the jwks_uri is not a valid URL')
    }
    if (url.protocol === 'https:' || (this.opts.dev && url.protocol === 'http:')) return url.href
    throw new JwksUriError('the jwks_uri must use the https scheme')
  }

  private async load(uri: string, refresh: boolean): Promise<LocalJWKSet> {
    const href = this.checkScheme(uri)
    const pending = this.inflight.get(href)
    if (pending) return pending
    const entry = this.entries.get(href)
    if (entry) {
      const age = this.now() - entry.at
      if (entry.result instanceof JwksUriError) {
        if (age < this.cooldownMs) throw entry.result
      } else if (age < this.ttlMs && (!refresh || age < this.cooldownMs)) {
        return entry.result
      }
    }
    const p = this.attempt(href).finally(() => this.inflight.delete(href))
    this.inflight.set(href, p)
    return p
  }

  private async attempt(href: string): Promise<LocalJWKSet> {
    const at = this.now()
    let result: LocalJWKSet | JwksUriError
    try {
      result = createLocalJWKSet(publicKeySet(await this.fetch(href)))
    } catch {
      // One reason for every failure (unreachable, refused, not JSON, no keys): what the URL
      // answered is never told to whoever presents the assertion. The fetcher logs the cause.
      result = new JwksUriError(UNUSABLE_JWKS)
    }
    this.entries.delete(href)
    this.entries.set(href, { result, at })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    if (result instanceof JwksUriError) throw result
    return result
  }
}
