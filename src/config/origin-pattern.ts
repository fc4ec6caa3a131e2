// Whether a CORS origin pattern's wildcard is safe: bounded at a registrable domain, so every host
// it can match belongs to one owner (ory/x corsx.ClassifyOrigin, which Hydra applies to
// serve.*.cors.allowed_origins and clients' allowed_cors_origins). `https://*.example.com` is;
// `https://*foo.com`, `https://*.com`, `https://*.vercel.app` and `https://*` are not: anyone could
// register a host they match. feature_flags.legacy_allow_insecure_origins lets them match anyway.
import { createRequire } from 'node:module'

// The public suffix list is large (about 13 MB resident): loaded on the first wildcard checked.
let tldts: typeof import('tldts') | undefined
const load = (): typeof import('tldts') => (tldts ??= createRequire(import.meta.url)('tldts') as typeof import('tldts'))

export function isUnsafeWildcard(pattern: string): boolean {
  const star = pattern.lastIndexOf('*')
  if (star < 0) return false
  // The fixed domain follows the first dot after the wildcard's label; none: a bare or trailing wildcard.
  const rest = pattern.slice(star)
  const dot = rest.indexOf('.')
  if (dot < 0) return true
  const base = (rest.slice(dot + 1).split(':')[0] ?? '').toLowerCase()
  // Private suffixes (vercel.app, github.io, ...) count as public ones, as in Go's publicsuffix.
  return load().getDomain(base, { allowPrivateDomains: true }) === null
}
