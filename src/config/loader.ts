// Loads the configuration the way Hydra does: schema defaults, then the config file, then
// environment variables (`urls.self.issuer` → URLS_SELF_ISSUER), then command-line overrides.
// Every value is validated against src/config/schema.ts; any problem is a ConfigError with a
// one-line message naming the key, the value (never a secret) and what is allowed.

import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { formatDuration, parseDuration } from './duration.js'
import { CONFIG_KEYS, IGNORED_HYDRA_KEYS, KEY_BY_ENV, KEY_BY_PATH, SECTIONS } from './schema.js'
import type { KeySpec } from './schema.js'
import { ConfigError } from './types.js'
import type { Config, CorsConfig, ListenerConfig, TlsConfig } from './types.js'

export interface LoadConfigOptions {
  /** A `.yaml`, `.yml` or `.json` file, relative to `cwd`. */
  file?: string
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** `--dev`: development mode regardless of file and environment. */
  dev?: boolean
  /** Values from command-line flags, keyed by dotted path (`serve.public.port`); undefined entries are skipped. */
  overrides?: Record<string, unknown>
  cwd?: string
}

export const NO_SECRET_WARNING =
  'no secrets.system set: generated a throw-away secret; everything encrypted with it is lost on restart. Never do this in production.'

const DURATION_HINT = '(expected e.g. 1h, 30m, 1h5m1s)'
// Hydra caps these silently (driver/config/provider.go); we cap them and say so.
const MAX_180_DAYS = 180 * 24 * 3_600_000
const MAX_GRACE_PERIOD = 5 * 60_000

/** A value before validation, with where it came from (an env name or `a command-line flag`). */
interface RawValue {
  value: unknown
  from?: string
}

export function loadConfig(opts: LoadConfigOptions): { config: Readonly<Config>; warnings: string[] } {
  const cwd = opts.cwd ?? process.cwd()
  const warnings: string[] = []
  const raw = new Map<string, RawValue>()
  if (opts.file !== undefined) readFile(resolve(cwd, opts.file), raw, warnings)
  readEnv(opts.env ?? process.env, raw)
  readOverrides(opts.overrides ?? {}, raw)
  if (opts.dev) raw.set('dev', { value: true, from: '--dev' })

  const values = new Map<string, unknown>()
  for (const spec of CONFIG_KEYS) {
    const given = raw.get(spec.path)
    const input = given ? given.value : spec.default
    if (input !== undefined) values.set(spec.path, validate(spec, input, given?.from))
  }
  const config = build(values, cwd, warnings)
  return { config: deepFreeze(config), warnings }
}

// ---- sources --------------------------------------------------------------------------------

function readFile(file: string, raw: Map<string, RawValue>, warnings: string[]): void {
  const ext = extname(file).toLowerCase()
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new ConfigError(`config file ${file}: unsupported extension "${ext}" (use .yaml, .yml or .json)`)
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${readFailure(err)}`)
  }
  let doc: unknown
  try {
    // The yaml package reads JSON too (JSON is YAML 1.2), with line numbers in its errors.
    doc = parseYaml(text)
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/:$/, '')
    throw new ConfigError(`config file ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${reason}`)
  }
  if (doc === null || doc === undefined) return // an empty file configures nothing
  if (!isPlainObject(doc)) throw new ConfigError(`config file ${file} must hold a mapping of keys (e.g. "dsn: memory"), not ${kindOf(doc)}`)
  walk(doc, '', raw, warnings)
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error'
}

// Hydra's schema sets additionalProperties:false everywhere, so a misspelt key is an error.
function walk(node: Record<string, unknown>, prefix: string, raw: Map<string, RawValue>, warnings: string[]): void {
  for (const [name, value] of Object.entries(node)) {
    const path = prefix === '' ? name : `${prefix}.${name}`
    if (IGNORED_HYDRA_KEYS.includes(path)) {
      warnings.push(`configuration key ${path} is a Hydra setting Orthrus does not implement: ignored`)
    } else if (value === null || value === undefined) {
      continue // `key:` with nothing after it, as YAML templates often leave
    } else if (KEY_BY_PATH.has(path)) {
      raw.set(path, { value })
    } else if (SECTIONS.has(path)) {
      if (!isPlainObject(value)) throw new ConfigError(`invalid configuration: ${path} must be a section of keys, not ${kindOf(value)}`)
      walk(value, path, raw, warnings)
    } else {
      const where = prefix === '' ? 'at the top level' : `under ${prefix}`
      throw new ConfigError(`invalid configuration: unknown key ${path} (allowed ${where}: ${childrenOf(prefix).join(', ')})`)
    }
  }
}

function childrenOf(prefix: string): string[] {
  const start = prefix === '' ? '' : `${prefix}.`
  const names = CONFIG_KEYS.filter((k) => k.path.startsWith(start)).map((k) => k.path.slice(start.length).split('.')[0] ?? '')
  return [...new Set(names)]
}

// Unknown variables are ignored: the environment holds much more than our configuration. Empty
// values count as unset (`FOO=` in compose files and .env templates).
function readEnv(env: NodeJS.ProcessEnv, raw: Map<string, RawValue>): void {
  for (const [name, spec] of KEY_BY_ENV) {
    const text = env[name]
    if (text === undefined || text === '') continue
    raw.set(spec.path, { value: fromText(spec, text, name), from: name })
  }
}

function readOverrides(overrides: Record<string, unknown>, raw: Map<string, RawValue>): void {
  const from = 'a command-line flag'
  for (const [path, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) continue
    const spec = KEY_BY_PATH.get(path)
    if (!spec) throw new ConfigError(`invalid configuration: unknown key ${path} (from ${from})`)
    raw.set(path, { value: typeof value === 'string' ? fromText(spec, value, from) : value, from })
  }
}

/** Environment and flag values are text: turn them into the type the key expects (validation follows). */
function fromText(spec: KeySpec, text: string, from: string): unknown {
  switch (spec.kind) {
    case 'boolean': {
      const lower = text.trim().toLowerCase()
      if (lower === 'true' || lower === '1') return true
      if (lower === 'false' || lower === '0') return false
      return text
    }
    case 'integer':
      return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text
    case 'string[]':
    case 'enum[]': {
      const trimmed = text.trim()
      if (!trimmed.startsWith('[')) return trimmed.split(',').map((s) => s.trim()).filter((s) => s !== '')
      try {
        return JSON.parse(trimmed) as unknown
      } catch {
        throw new ConfigError(`invalid configuration: ${subject(spec, spec.path, text)} is not a valid JSON array (from ${from})`)
      }
    }
    default:
      return text
  }
}

// ---- validation -----------------------------------------------------------------------------

/** Checks one value against its key; returns it converted (durations to milliseconds). */
function validate(spec: KeySpec, value: unknown, from: string | undefined): unknown {
  const fail = (problem: string, path = spec.path, shown: unknown = value): ConfigError =>
    new ConfigError(`invalid configuration: ${subject(spec, path, shown)} ${problem}${from ? ` (from ${from})` : ''}`)

  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') throw fail('must be a string')
      const problem = spec.check?.(value)
      if (problem) throw fail(problem)
      return value
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw fail('must be true or false')
      return value
    case 'integer': {
      const inRange =
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        (spec.min === undefined || value >= spec.min) &&
        (spec.max === undefined || value <= spec.max)
      if (!inRange) throw fail(`must be an integer${rangeText(spec)}`)
      return value
    }
    case 'duration': {
      const ms = typeof value === 'string' ? parseDuration(value) : undefined
      if (ms === undefined) throw fail(`is not a duration ${DURATION_HINT}`)
      return ms
    }
    case 'duration-or-minus-one': {
      if (value === -1 || value === '-1') return -1
      const ms = typeof value === 'string' ? parseDuration(value) : undefined
      if (ms === undefined) throw fail(`is not a duration or -1 ${DURATION_HINT}`)
      return ms
    }
    case 'url':
      if (typeof value !== 'string' || !isHttpUrl(value)) throw fail('is not an absolute http(s) URL (expected e.g. https://auth.example.com/)')
      return value
    case 'uri-reference': {
      const ok = typeof value === 'string' && (isHttpUrl(value) || (value.startsWith('/') && URL.canParse(value, 'http://x')))
      if (!ok) throw fail('is not an http(s) URL or an absolute path (expected e.g. https://login.example.com/login or /ui/login)')
      return value
    }
    case 'enum': {
      const allowed = spec.values ?? []
      if (typeof value !== 'string' || !allowed.includes(value)) throw fail(`must be one of ${allowed.join(', ')}`)
      return value
    }
    case 'string[]':
    case 'enum[]': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail('must be a list of strings')
      value.forEach((item: string, i) => {
        const at = `${spec.path}[${i}]`
        if (spec.minItemLength !== undefined && item.length < spec.minItemLength) {
          throw fail(`is ${item.length} characters, needs at least ${spec.minItemLength}`, at, item)
        }
        if (spec.kind === 'enum[]' && !(spec.values ?? []).includes(item)) throw fail(`must be one of ${(spec.values ?? []).join(', ')}`, at, item)
        const problem = spec.check?.(item)
        if (problem) throw fail(problem, at, item)
      })
      return [...(value as string[])]
    }
  }
}

/** `key = "value"`, or just `key` when the value is a secret. */
function subject(spec: KeySpec, path: string, value: unknown): string {
  if (spec.redact === 'secret') return path
  const shown = spec.redact === 'password' && typeof value === 'string' ? maskPassword(value) : value
  let text = JSON.stringify(shown) ?? String(shown)
  if (text.length > 100) text = `${text.slice(0, 97)}...`
  return `${path} = ${text}`
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function maskPassword(dsn: string): string {
  return dsn.replace(/^([a-z0-9+.-]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}

function rangeText(spec: KeySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` between ${spec.min} and ${spec.max}`
  if (spec.min !== undefined) return ` of at least ${spec.min}`
  if (spec.max !== undefined) return ` of at most ${spec.max}`
  return ''
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false // URL.parse needs Node 22
  const url = new URL(text)
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== ''
}

// ---- derived values -------------------------------------------------------------------------

function build(values: Map<string, unknown>, cwd: string, warnings: string[]): Config {
  const opt = <T>(path: string): T | undefined => values.get(path) as T | undefined
  const get = <T>(path: string): T => {
    if (!values.has(path)) throw new Error(`config schema: ${path} has no default`)
    return values.get(path) as T
  }
  const dev = get<boolean>('dev')
  const pub = listener('serve.public', get, opt)
  const admin = listener('serve.admin', get, opt)

  // Hydra's fallbackURL: plain http only in dev without TLS; wildcard hosts become loopback.
  const selfUrl = (l: ListenerConfig): string => `${l.tls.enabled || !dev ? 'https' : 'http'}://${reachableHost(l.host)}:${l.port}/`
  let issuer = opt<string>('urls.self.issuer')
  if (issuer === undefined) {
    if (!dev) throw new ConfigError('invalid configuration: urls.self.issuer is required: set URLS_SELF_ISSUER (or urls.self.issuer in the config file) to the public https URL, or run with --dev')
    issuer = selfUrl(pub)
  } else if (!dev && new URL(issuer).protocol !== 'https:') {
    throw new ConfigError(`invalid configuration: urls.self.issuer = ${JSON.stringify(issuer)} must use https (or run with --dev)`)
  }
  const publicUrl = new URL(opt<string>('urls.self.public') ?? issuer).href
  const adminUrl = new URL(opt<string>('urls.self.admin') ?? selfUrl(admin)).href
  // Hydra's publicFallbackURL appends to the public URL's path; paths like /ui/login resolve against it.
  const page = (path: string, fallback: string): string => {
    const given = opt<string>(path)
    if (given !== undefined) return new URL(given, publicUrl).href
    const url = new URL(publicUrl)
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${fallback}`
    return url.href
  }
  const login = page('urls.login', 'oauth2/fallbacks/login')
  const registration = opt<string>('urls.registration') // Hydra: defaults to the login URL

  let system = opt<string[]>('secrets.system') ?? []
  if (system.length === 0) {
    if (!dev) throw new ConfigError('invalid configuration: secrets.system is required: set SECRETS_SYSTEM (or secrets.system in the config file) to a secret of at least 16 characters, or run with --dev')
    system = [randomBytes(24).toString('base64url')] // 32 characters
    warnings.push(NO_SECRET_WARNING)
  }
  const orSystem = (path: string): string[] => {
    const list = opt<string[]>(path) ?? []
    return list.length > 0 ? list : [...system]
  }

  let dsn = opt<string>('dsn')
  if (dsn === undefined) {
    if (!dev) throw new ConfigError('invalid configuration: dsn is required: set DSN (or dsn in the config file), e.g. postgres://user:password@host:5432/db or memory, or run with --dev')
    dsn = `sqlite://${resolve(cwd, 'orthrus.sqlite')}?_fk=true`
  }

  return {
    dev,
    dsn,
    log: {
      level: get('log.level'),
      format: get('log.format'),
      leak_sensitive_values: get('log.leak_sensitive_values'),
      redaction_text: get('log.redaction_text'),
    },
    serve: { public: pub, admin, tls: tls('serve', undefined, opt), cookies: cookies(dev, issuer, get, opt) },
    urls: {
      self: { issuer, public: publicUrl, admin: adminUrl },
      login,
      registration: registration === undefined ? login : new URL(registration, publicUrl).href,
      consent: page('urls.consent', 'oauth2/fallbacks/consent'),
      logout: page('urls.logout', 'oauth2/fallbacks/logout'),
      error: page('urls.error', 'oauth2/fallbacks/error'),
      post_logout_redirect: page('urls.post_logout_redirect', 'oauth2/fallbacks/logout/callback'),
      device: {
        verification: page('urls.device.verification', 'oauth2/fallbacks/device'),
        success: page('urls.device.success', 'oauth2/fallbacks/device/done'),
      },
    },
    secrets: { system, cookie: orSystem('secrets.cookie'), pagination: orSystem('secrets.pagination') },
    ttl: {
      login_consent_request: get('ttl.login_consent_request'),
      authentication_session: capped('ttl.authentication_session', get('ttl.authentication_session'), MAX_180_DAYS, warnings),
      access_token: get('ttl.access_token'),
      refresh_token: get('ttl.refresh_token'),
      id_token: get('ttl.id_token'),
      auth_code: get('ttl.auth_code'),
      device_user_code: get('ttl.device_user_code'),
    },
    strategies: {
      scope: get('strategies.scope'),
      access_token: get('strategies.access_token'),
      jwt: { scope_claim: get('strategies.jwt.scope_claim') },
    },
    oauth2: oauth2(get, warnings),
    oidc: oidc(get, opt, warnings),
  }
}

type Get = <T>(path: string) => T
type Opt = <T>(path: string) => T | undefined

function listener(prefix: string, get: Get, opt: Opt): ListenerConfig {
  const cors: CorsConfig = {
    enabled: get(`${prefix}.cors.enabled`),
    allowed_origins: get(`${prefix}.cors.allowed_origins`),
    allowed_methods: get(`${prefix}.cors.allowed_methods`),
    allowed_headers: get(`${prefix}.cors.allowed_headers`),
    exposed_headers: get(`${prefix}.cors.exposed_headers`),
    allow_credentials: get(`${prefix}.cors.allow_credentials`),
    max_age: get(`${prefix}.cors.max_age`),
    debug: get(`${prefix}.cors.debug`),
  }
  return {
    host: get(`${prefix}.host`),
    port: get(`${prefix}.port`),
    socket: { owner: get(`${prefix}.socket.owner`), group: get(`${prefix}.socket.group`), mode: get(`${prefix}.socket.mode`) },
    request_log: { disable_for_health: get(`${prefix}.request_log.disable_for_health`) },
    tls: tls(prefix, 'serve', opt),
    cors,
  }
}

// A listener's TLS settings fall back to serve.tls.* (Hydra's driver/config/tls.go), per source.
function tls(prefix: string, fallback: string | undefined, opt: Opt): TlsConfig {
  const source = (what: 'cert' | 'key'): TlsConfig['cert'] => {
    for (const p of fallback === undefined ? [prefix] : [prefix, fallback]) {
      const path = opt<string>(`${p}.tls.${what}.path`)
      const base64 = opt<string>(`${p}.tls.${what}.base64`)
      if (path !== undefined && base64 !== undefined) {
        throw new ConfigError(`invalid configuration: ${p}.tls.${what} sets both path and base64 (set one)`)
      }
      if (path !== undefined) return { path }
      if (base64 !== undefined) return { base64 }
    }
    return undefined
  }
  const enabled = opt<boolean>(`${prefix}.tls.enabled`) ?? (fallback === undefined ? undefined : opt<boolean>(`${fallback}.tls.enabled`))
  const result: TlsConfig = { enabled: enabled ?? false }
  const cert = source('cert')
  const key = source('key')
  if (cert) result.cert = cert
  if (key) result.key = key
  return result
}

// Effective cookie settings, as Hydra computes them at use (driver/config/provider.go): cookies
// are always Secure outside dev, SameSite=None needs an https issuer (else Lax), and dev mode
// suffixes every cookie name with `_dev`.
function cookies(dev: boolean, issuer: string, get: Get, opt: Opt): Config['serve']['cookies'] {
  const suffix = dev ? '_dev' : ''
  const mode = get<'Strict' | 'Lax' | 'None'>('serve.cookies.same_site_mode')
  const result: Config['serve']['cookies'] = {
    same_site_mode: mode === 'None' && new URL(issuer).protocol !== 'https:' ? 'Lax' : mode,
    same_site_legacy_workaround: get('serve.cookies.same_site_legacy_workaround'),
    secure: dev ? get('serve.cookies.secure') : true,
    names: {
      device_csrf: get<string>('serve.cookies.names.device_csrf') + suffix,
      login_csrf: get<string>('serve.cookies.names.login_csrf') + suffix,
      consent_csrf: get<string>('serve.cookies.names.consent_csrf') + suffix,
      session: get<string>('serve.cookies.names.session') + suffix,
    },
    paths: { session: get('serve.cookies.paths.session') },
  }
  const domain = opt<string>('serve.cookies.domain')
  if (domain !== undefined && domain !== '') result.domain = domain
  return result
}

function oauth2(get: Get, warnings: string[]): Config['oauth2'] {
  // Hydra: the grace period is at most 5 minutes, unless a reuse count is set (then 180 days).
  const reuseCount = get<number>('oauth2.grant.refresh_token.rotation_grace_reuse_count')
  const maxGrace = reuseCount > 0 ? MAX_180_DAYS : MAX_GRACE_PERIOD
  return {
    expose_internal_errors: get('oauth2.expose_internal_errors'),
    exclude_not_before_claim: get('oauth2.exclude_not_before_claim'),
    allowed_top_level_claims: [...new Set(get<string[]>('oauth2.allowed_top_level_claims'))],
    mirror_top_level_claims: get('oauth2.mirror_top_level_claims'),
    hashers: {
      algorithm: get('oauth2.hashers.algorithm'),
      bcrypt: { cost: get('oauth2.hashers.bcrypt.cost') },
      pbkdf2: { iterations: get('oauth2.hashers.pbkdf2.iterations') },
    },
    pkce: { enforced: get('oauth2.pkce.enforced'), enforced_for_public_clients: get('oauth2.pkce.enforced_for_public_clients') },
    client_credentials: { default_grant_allowed_scope: get('oauth2.client_credentials.default_grant_allowed_scope') },
    grant: {
      refresh_token: {
        rotation_grace_period: capped('oauth2.grant.refresh_token.rotation_grace_period', get('oauth2.grant.refresh_token.rotation_grace_period'), maxGrace, warnings),
        rotation_grace_reuse_count: reuseCount,
      },
      jwt: {
        jti_optional: get('oauth2.grant.jwt.jti_optional'),
        iat_optional: get('oauth2.grant.jwt.iat_optional'),
        max_ttl: get('oauth2.grant.jwt.max_ttl'),
        omit_assertion_audience: get('oauth2.grant.jwt.omit_assertion_audience'),
      },
    },
  }
}

function oidc(get: Get, opt: Opt, warnings: string[]): Config['oidc'] {
  let types = [...new Set(get<Array<'public' | 'pairwise'>>('oidc.subject_identifiers.supported_types'))]
  const salt = opt<string>('oidc.subject_identifiers.pairwise.salt')
  if (types.includes('pairwise')) {
    // Hydra's SubjectTypesSupported: pairwise cannot work with JWT access tokens, and needs a salt.
    if (get('strategies.access_token') === 'jwt') {
      warnings.push('oidc.subject_identifiers.supported_types: pairwise is not supported with strategies.access_token = jwt and is disabled')
      types = types.filter((t) => t !== 'pairwise')
    } else if ((salt ?? '').length < 8) {
      throw new ConfigError(`invalid configuration: oidc.subject_identifiers.pairwise.salt is ${(salt ?? '').length} characters, needs at least 8 when pairwise subject identifiers are enabled`)
    }
  }
  if (types.length === 0) types = ['public']
  return {
    subject_identifiers: { supported_types: types, pairwise: salt === undefined ? {} : { salt } },
    dynamic_client_registration: {
      enabled: get('oidc.dynamic_client_registration.enabled'),
      default_scope: get('oidc.dynamic_client_registration.default_scope'),
    },
  }
}

function capped(path: string, ms: number, max: number, warnings: string[]): number {
  if (ms <= max) return ms
  warnings.push(`${path} = ${formatDuration(ms)} is longer than the maximum of ${formatDuration(max)}: capped`)
  return max
}

function reachableHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::' || host.startsWith('unix:')) return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
