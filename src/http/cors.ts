// Cross-origin resource sharing (Fetch standard, "CORS protocol") for one listener, from
// serve.public.cors / serve.admin.cors. Installed only when `enabled`; with CORS off the listener
// sends no CORS header at all and answers OPTIONS as before.
//
// Behaviour, following Hydra (which uses the rs/cors semantics):
// - Origins match case-insensitively: `*` allows all; one `*` inside a pattern stands for one DNS
//   label (`https://*.example.com` matches `https://a.example.com`, not `https://a.b.example.com`);
//   `scheme://*` allows any origin of that scheme. The allowed origin is echoed, never `*`, so
//   credentials work.
// - A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered 204 here:
//   with Allow-Origin/Methods/Headers (+ Credentials, Max-Age) when origin, method and every
//   requested header are allowed, with no CORS header otherwise.
// - An actual request from an allowed origin gets Allow-Origin, Expose-Headers and Credentials.
//   Every response says Vary: Origin.
// - On the client-aware endpoints (Hydra: /oauth2/token, /oauth2/revoke, /userinfo) an origin
//   outside the global list is allowed when the requesting client lists it in
//   allowed_cors_origins. The client is the form's client_id, else the Basic-auth user name,
//   else the client the bearer access token was issued to. A preflight carries no credentials,
//   so there it is answered as allowed (as Hydra does); the browser then enforces the answer to
//   the actual request.
// - Excluded paths (the authorization endpoint: never meant for CORS) get nothing.
// - serve.*.cors.options_passthrough hands preflights on to the router (route-table.ts).
//
// Hand-written rather than @fastify/cors: that plugin answers a refused preflight by falling
// through to its catch-all OPTIONS route's 404 (rs/cors answers 204 without CORS headers), lists
// every configured method instead of echoing the requested one, does not check requested headers
// against the allowed ones, and decides in a hook that runs before the body is parsed, so it cannot
// let the form's client_id name the client whose allowed_cors_origins apply, nor reach answers
// that failed before its hook ran.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CorsConfig } from '../config/types.js'
import type { TokenService } from '../oauth2/tokens/service.js'
import { isUnsafeWildcard } from '../config/origin-pattern.js'
import { answerOptions } from './route-table.js'

/** One compiled origin pattern. */
type Matcher = (origin: string) => boolean

/**
 * `legacyInsecure`: feature_flags.legacy_allow_insecure_origins; without it a wildcard that is not
 * bounded at a registrable domain never matches (origin-pattern.ts).
 */
export function originMatcher(pattern: string, legacyInsecure = false): Matcher {
  const p = pattern.toLowerCase()
  if (p === '*') return () => true
  if (!legacyInsecure && isUnsafeWildcard(p)) return () => false
  const star = p.indexOf('*')
  if (star < 0) {
    const exact = p.replace(/\/+$/, '')
    return (origin) => origin === exact
  }
  const prefix = p.slice(0, star)
  const suffix = p.slice(star + 1)
  // `https://*`: any host (and port) of that scheme.
  const anyHost = prefix.endsWith('://') && suffix === ''
  return (origin) => {
    if (origin.length <= prefix.length + suffix.length) return false
    if (!origin.startsWith(prefix) || !origin.endsWith(suffix)) return false
    const middle = origin.slice(prefix.length, origin.length - suffix.length)
    return anyHost ? !middle.includes('/') : !/[./]/.test(middle)
  }
}

export function originsMatcher(patterns: readonly string[], legacyInsecure = false): Matcher {
  const all = patterns.map((p) => originMatcher(p, legacyInsecure))
  return (origin) => {
    const o = origin.toLowerCase()
    return all.some((m) => m(o))
  }
}

export interface CorsOptions {
  /** Paths that never get CORS headers (the authorization endpoint). */
  excluded?: ReadonlySet<string>
  /** Paths where the requesting client's allowed_cors_origins count too. */
  clientAware?: ReadonlySet<string>
  /** The allowed_cors_origins of the client a request speaks for; [] when none is identifiable. */
  clientOrigins?: (request: FastifyRequest) => Promise<readonly string[]>
}

const pathOf = (request: FastifyRequest): string => {
  const path = (request.url.split('?')[0] ?? '').replace(/\/{2,}/g, '/')
  return path.length > 1 ? path.replace(/\/$/, '') : path
}

function addVary(reply: FastifyReply, ...names: string[]): void {
  const current = reply.getHeader('vary')
  const have = (typeof current === 'string' ? current.split(',') : []).map((s) => s.trim()).filter((s) => s !== '')
  for (const n of names) if (!have.some((h) => h.toLowerCase() === n.toLowerCase())) have.push(n)
  reply.header('vary', have.join(', '))
}

const listHeader = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** Installs CORS on `app` (root scope, before routes) when `config.enabled`. */
export function installCors(app: FastifyInstance, config: CorsConfig, opts: CorsOptions = {}): void {
  if (!config.enabled) return
  if (config.options_passthrough) answerOptions(app)
  const legacy = config.legacy_allow_insecure_origins === true
  const allowedGlobally = originsMatcher(config.allowed_origins, legacy)
  const methods = new Set(config.allowed_methods.map((m) => m.toUpperCase()))
  const headersAll = config.allowed_headers.includes('*')
  // Origin is always allowed as a request header (rs/cors adds it too).
  const headers = new Set([...config.allowed_headers, 'Origin'].map((h) => h.toLowerCase()))
  const exposed = config.exposed_headers.join(', ')

  const clientAllows = async (request: FastifyRequest, origin: string): Promise<boolean> => {
    if (!opts.clientOrigins || !opts.clientAware?.has(pathOf(request))) return false
    try {
      const listed = await opts.clientOrigins(request)
      return listed.length > 0 && originsMatcher(listed, legacy)(origin)
    } catch {
      return false
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    const wanted = request.headers['access-control-request-method']
    if (request.method !== 'OPTIONS' || origin === undefined || typeof wanted !== 'string') return
    if (opts.excluded?.has(pathOf(request))) return
    addVary(reply, 'Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers')
    const requested = listHeader(request.headers['access-control-request-headers'])
    const ok =
      (allowedGlobally(origin) || (opts.clientOrigins !== undefined && opts.clientAware?.has(pathOf(request)) === true)) &&
      methods.has(wanted.toUpperCase()) &&
      (headersAll || requested.every((h) => headers.has(h.toLowerCase())))
    if (ok) {
      reply.header('access-control-allow-origin', origin)
      reply.header('access-control-allow-methods', wanted.toUpperCase())
      if (requested.length > 0) reply.header('access-control-allow-headers', requested.join(', '))
      if (config.allow_credentials) reply.header('access-control-allow-credentials', 'true')
      if (config.max_age > 0) reply.header('access-control-max-age', String(config.max_age))
    }
    // rs/cors OptionsPassthrough: the router answers the preflight (route-table.ts optionsAllow).
    if (config.options_passthrough) return
    return reply.code(204).send()
  })

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) return payload
    if (opts.excluded?.has(pathOf(request))) return payload
    addVary(reply, 'Origin')
    const origin = request.headers.origin
    if (origin === undefined || !methods.has(request.method.toUpperCase())) return payload
    if (!allowedGlobally(origin) && !(await clientAllows(request, origin))) return payload
    reply.header('access-control-allow-origin', origin)
    if (exposed !== '') reply.header('access-control-expose-headers', exposed)
    if (config.allow_credentials) reply.header('access-control-allow-credentials', 'true')
    return payload
  })
}

/** The client id a request speaks for: form client_id, else the Basic-auth user name. */
export function clientIdOf(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined
  const fromForm = body && typeof body === 'object' ? body.client_id : undefined
  if (typeof fromForm === 'string' && fromForm !== '') return fromForm
  const auth = request.headers.authorization
  const basic = auth === undefined ? undefined : /^basic +(\S+)\s*$/i.exec(auth)?.[1]
  if (basic === undefined) return undefined
  const decoded = Buffer.from(basic, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  try {
    // RFC 6749 §2.3.1: the user name is form-urlencoded.
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '))
  } catch {
    return decoded.slice(0, colon)
  }
}

/** The bearer access token of a request (Authorization header or form access_token), if any. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization
  const fromHeader = auth === undefined ? undefined : /^bearer +(\S+)\s*$/i.exec(auth)?.[1]
  if (fromHeader !== undefined) return fromHeader
  const body = request.body as Record<string, unknown> | undefined
  const fromForm = body && typeof body === 'object' ? body.access_token : undefined
  return typeof fromForm === 'string' && fromForm !== '' ? fromForm : undefined
}

export interface ClientOriginSources {
  clients: { get(id: string): Promise<{ allowed_cors_origins: readonly string[] } | undefined> }
  tokens: Pick<TokenService, 'find' | 'isActive'>
}

/**
 * CorsOptions.clientOrigins for the public listener: the client of the form or Basic
 * credentials, else of the active bearer access token (as Hydra identifies it).
 */
export function clientCorsOrigins(sources: ClientOriginSources): (request: FastifyRequest) => Promise<readonly string[]> {
  return async (request) => {
    let id = clientIdOf(request)
    if (id === undefined) {
      const token = bearerOf(request)
      if (token === undefined) return []
      const found = await sources.tokens.find(token, { hint: 'access', verifyJwt: true })
      if (!found || found.kind !== 'access' || !sources.tokens.isActive(found.record)) return []
      id = found.record.clientId
    }
    return (await sources.clients.get(id))?.allowed_cors_origins ?? []
  }
}
