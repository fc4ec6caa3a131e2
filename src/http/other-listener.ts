// Asking the public listener for an admin path, or the admin listener for an OAuth 2.0 endpoint,
// is a common first mistake: the 404 then names the listener that serves the path. The lists are
// prefixes of the routes each listener registers; they only shape an error message.
type Listener = 'public' | 'admin'

// Admin routes answer with and without the /admin prefix (http/admin.ts).
const ADMIN_PATHS = [
  /^\/admin(\/|$)/,
  /^\/clients(\/|$)/,
  /^\/keys(\/|$)/,
  /^\/trust(\/|$)/,
  /^\/oauth2\/(introspect|tokens)$/,
  /^\/oauth2\/auth\/(requests|sessions)(\/|$)/,
  /^\/metrics\/prometheus$/,
  /^\/version$/,
]

const PUBLIC_PATHS = [
  /^\/oauth2\/(auth|token|revoke)$/,
  /^\/oauth2\/(register|fallbacks)(\/|$)/,
  /^\/oauth2\/sessions\/logout$/,
  /^\/oauth2\/device\/(auth|verify)$/,
  /^\/userinfo$/,
  /^\/\.well-known\/(openid-configuration|jwks\.json)$/,
]

/** The hint for a path no route of `listener` matched; undefined when it is not the other listener's either. */
export function otherListenerHint(listener: Listener, publicUrl: string): (url: string) => string | undefined {
  return (url) => {
    const path = (url.split('?')[0] ?? '').replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1')
    if (listener === 'public' && ADMIN_PATHS.some((p) => p.test(path))) {
      // The admin listener's address is not given away on the public side.
      return 'The requested route does not exist on the public listener: it belongs to the admin API, served by the admin listener (serve.admin.port, 4445 by default).'
    }
    if (listener === 'admin' && PUBLIC_PATHS.some((p) => p.test(path))) {
      return `The requested route does not exist on the admin listener: it belongs to the public API, served by the public listener at ${publicUrl}.`
    }
    return undefined
  }
}
