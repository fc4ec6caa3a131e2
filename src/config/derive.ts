// Values derived from several keys at once, with Hydra's cross-key rules: issuer and
// fallback URLs, dev-mode secrets and DSN, cookie policy, capped lifespans.
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { devSecretPath, loadOrCreateDevSecret } from './dev-secret.js'
import { formatDuration } from './duration.js'
import { ConfigError } from './types.js'
import { tracingFromValues } from '../observability/tracing-config.js'
import { isUnsafeWildcard } from './origin-pattern.js'
import type { Config, CorsConfig, HsmConfig, ListenerConfig, TlsConfig, UserCodeConfig, WebhookConfig } from './types.js'

export const NO_SECRET_WARNING =
  'no secrets.system set: generated a throw-away secret; everything encrypted with it is lost on restart. Never do this in production.'
export const devSecretCreated = (path: string): string =>
  `no secrets.system set: generated a development secret and saved it to ${path} (readable by you only); later --dev starts on this database reuse it. Never do this in production.`
export const devSecretReused = (path: string): string =>
  `no secrets.system set: using the development secret saved in ${path} by an earlier --dev start. Never do this in production.`

// Hydra caps these silently (driver/config/provider.go); we cap them and say so.
const MAX_180_DAYS = 180 * 24 * 3_600_000
const MAX_GRACE_PERIOD = 5 * 60_000

export interface BuildOptions {
  /** --dev without secrets.system: keep the generated secret beside a SQLite database file (serve). */
  keepDevSecret: boolean
}

export function build(values: Map<string, unknown>, cwd: string, warnings: string[], opts: BuildOptions, notices: string[] = []): Config {
  const opt = <T>(path: string): T | undefined => values.get(path) as T | undefined
  const get = <T>(path: string): T => {
    if (!values.has(path)) throw new Error(`config schema: ${path} has no default`)
    return values.get(path) as T
  }
  const dev = get<boolean>('dev')
  const pub = listener('serve.public', get, opt, warnings, dev)
  const admin = { ...listener('serve.admin', get, opt, warnings, dev), console: { enabled: get<boolean>('serve.admin.console.enabled') } }

  // Hydra's fallbackURL: plain http only in dev without TLS; wildcard hosts become loopback.
  const selfUrl = (l: ListenerConfig): string => `${l.tls.enabled || !dev ? 'https' : 'http'}://${reachableHost(l.host)}:${l.port}/`
  let issuer = opt<string>('urls.self.issuer')
  if (issuer === undefined) {
    if (!dev) throw new ConfigError('invalid configuration: urls.self.issuer is required: set URLS_SELF_ISSUER (or urls.self.issuer in the config file) to the public https URL, or run with --dev')
    issuer = selfUrl(pub)
  } else if (!dev && new URL(issuer).protocol !== 'https:') {
    throw new ConfigError(`invalid configuration: urls.self.issuer = ${JSON.stringify(issuer)} must use https (or run with --dev)`)
  }
  // serve.*.base_url names a listener as seen from outside (ory/x); urls.self.* still win.
  const publicUrl = new URL(opt<string>('urls.self.public') ?? (pub.base_url !== undefined ? new URL(pub.base_url, issuer).href : issuer)).href
  const adminFallback = selfUrl(admin)
  const adminUrl = new URL(opt<string>('urls.self.admin') ?? (admin.base_url !== undefined ? new URL(admin.base_url, adminFallback).href : adminFallback)).href
  // Hydra's publicFallbackURL appends to the public URL's path; paths like /ui/login resolve against it.
  const page = (path: string, fallback: string): string => {
    const given = opt<string>(path)
    return given !== undefined ? new URL(given, publicUrl).href : fallbackPageUrl(publicUrl, fallback)
  }
  const login = page('urls.login', 'oauth2/fallbacks/login')
  const registration = opt<string>('urls.registration') // Hydra: defaults to the login URL

  let dsn = opt<string>('dsn')
  if (dsn === undefined) {
    if (!dev) throw new ConfigError('invalid configuration: dsn is required: set DSN (or dsn in the config file), e.g. postgres://user:password@host:5432/db or memory, or run with --dev')
    dsn = `sqlite://${resolve(cwd, 'orthrus.sqlite')}?_fk=true`
  }

  let system = opt<string[]>('secrets.system') ?? []
  if (system.length === 0) {
    if (!dev) throw new ConfigError('invalid configuration: secrets.system is required: set SECRETS_SYSTEM (or secrets.system in the config file) to a secret of at least 16 characters, or run with --dev')
    system = [devSystemSecret(dsn, opts.keepDevSecret, warnings)]
  }
  const orSystem = (path: string): string[] => {
    const list = opt<string[]>(path) ?? []
    return list.length > 0 ? list : [...system]
  }

  const tracing = tracingFromValues(opt)
  const profiling = opt<'cpu' | 'mem'>('profiling')
  const identityProvider = identityProviderOf(opt, notices)
  const publicRef = (path: string): string | undefined => {
    const given = opt<string>(path)
    return given === undefined ? undefined : new URL(given, publicUrl).href
  }
  return {
    dev,
    dsn,
    db: { ignore_unknown_table_columns: get('db.ignore_unknown_table_columns') },
    ...(profiling ? { profiling } : {}),
    feature_flags: { legacy_allow_insecure_origins: get('feature_flags.legacy_allow_insecure_origins') },
    hsm: hsm(get, opt),
    webfinger: {
      jwks: { broadcast_keys: [...new Set(get<string[]>('webfinger.jwks.broadcast_keys'))] },
      oidc_discovery: {
        ...definedOnly({
          jwks_url: publicRef('webfinger.oidc_discovery.jwks_url'),
          token_url: publicRef('webfinger.oidc_discovery.token_url'),
          auth_url: publicRef('webfinger.oidc_discovery.auth_url'),
          device_authorization_url: publicRef('webfinger.oidc_discovery.device_authorization_url'),
          client_registration_url: publicRef('webfinger.oidc_discovery.client_registration_url'),
          userinfo_url: publicRef('webfinger.oidc_discovery.userinfo_url'),
          verifiable_credentials_url: publicRef('webfinger.oidc_discovery.verifiable_credentials_url'),
        }),
        supported_claims: get('webfinger.oidc_discovery.supported_claims'),
        supported_scope: get('webfinger.oidc_discovery.supported_scope'),
      },
    },
    ...(tracing ? { tracing } : {}),
    log: {
      level: get('log.level'),
      format: get('log.format'),
      leak_sensitive_values: get('log.leak_sensitive_values'),
      redaction_text: get('log.redaction_text'),
    },
    serve: { public: pub, admin, workers: get('serve.workers'), tls: tls('serve', undefined, opt), cookies: cookies(dev, issuer, get, opt) },
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
      ...(identityProvider ? { identity_provider: identityProvider } : {}),
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
      vc_nonce: get('ttl.vc_nonce'),
    },
    strategies: {
      scope: get('strategies.scope'),
      access_token: get('strategies.access_token'),
      jwt: { scope_claim: get('strategies.jwt.scope_claim') },
    },
    oauth2: { ...oauth2(get, opt, warnings), ...webhooks(opt) },
    oidc: oidc(get, opt, warnings),
    clients: {
      http: {
        disallow_private_ip_ranges: get('clients.http.disallow_private_ip_ranges'),
        private_ip_exception_urls: get('clients.http.private_ip_exception_urls'),
      },
    },
  }
}

type Get = <T>(path: string) => T
type Opt = <T>(path: string) => T | undefined

/** Where a listener binds when serve.*.host is not given: --dev stays on this machine. */
export const defaultHost = (dev: boolean): string => (dev ? '127.0.0.1' : '0.0.0.0')

function listener(prefix: string, get: Get, opt: Opt, warnings: string[], dev: boolean): ListenerConfig {
  const legacy = get<boolean>('feature_flags.legacy_allow_insecure_origins')
  const cors: CorsConfig = {
    enabled: get(`${prefix}.cors.enabled`),
    allowed_origins: get(`${prefix}.cors.allowed_origins`),
    allowed_methods: get(`${prefix}.cors.allowed_methods`),
    allowed_headers: get(`${prefix}.cors.allowed_headers`),
    exposed_headers: get(`${prefix}.cors.exposed_headers`),
    allow_credentials: get(`${prefix}.cors.allow_credentials`),
    max_age: get(`${prefix}.cors.max_age`),
    debug: get(`${prefix}.cors.debug`),
    options_passthrough: get(`${prefix}.cors.options_passthrough`),
    ...(legacy ? { legacy_allow_insecure_origins: true } : {}),
  }
  const unsafe = cors.enabled && !legacy ? cors.allowed_origins.filter((o) => o !== '*' && isUnsafeWildcard(o.toLowerCase())) : []
  if (unsafe.length > 0) {
    warnings.push(
      `${prefix}.cors.allowed_origins: ${unsafe.join(', ')} ${unsafe.length > 1 ? 'are wildcards' : 'is a wildcard'} not bounded at a registrable domain and never match (feature_flags.legacy_allow_insecure_origins restores the old, insecure matching)`,
    )
  }
  const baseUrl = opt<string>(`${prefix}.base_url`)
  return {
    ...(baseUrl !== undefined ? { base_url: baseUrl } : {}),
    host: opt<string>(`${prefix}.host`) ?? defaultHost(dev),
    port: get(`${prefix}.port`),
    socket: { owner: get(`${prefix}.socket.owner`), group: get(`${prefix}.socket.group`), mode: get(`${prefix}.socket.mode`) },
    request_log: { disable_for_health: get(`${prefix}.request_log.disable_for_health`) },
    timeouts: { header: get(`${prefix}.timeouts.header`), read: get(`${prefix}.timeouts.read`), idle: get(`${prefix}.timeouts.idle`) },
    max_connections: get(`${prefix}.max_connections`),
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
  const terminators =
    opt<string[]>(`${prefix}.tls.allow_termination_from`) ?? (fallback === undefined ? undefined : opt<string[]>(`${fallback}.tls.allow_termination_from`))
  const result: TlsConfig = { enabled: enabled ?? false }
  if (terminators !== undefined && terminators.length > 0) result.allow_termination_from = terminators
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

// Hydra's schema: a preset alone, or length and character_set together (a oneOf).
function userCode(opt: Opt): UserCodeConfig {
  const base = 'oauth2.device_authorization.user_code'
  const preset = opt<UserCodeConfig['entropy_preset']>(`${base}.entropy_preset`)
  const length = opt<number>(`${base}.length`)
  const characterSet = opt<string>(`${base}.character_set`)
  if (preset !== undefined && (length !== undefined || characterSet !== undefined)) {
    throw new ConfigError(`invalid configuration: ${base} sets entropy_preset and length/character_set (set a preset, or both length and character_set)`)
  }
  if ((length === undefined) !== (characterSet === undefined)) {
    throw new ConfigError(`invalid configuration: ${base} needs both length and character_set (or an entropy_preset instead)`)
  }
  return definedOnly({ entropy_preset: preset, length, character_set: characterSet })
}

function hsm(get: Get, opt: Opt): HsmConfig {
  const enabled = get<boolean>('hsm.enabled')
  const out: HsmConfig = {
    enabled,
    key_set_prefix: get('hsm.key_set_prefix'),
    ...definedOnly({ library: opt<string>('hsm.library'), pin: opt<string>('hsm.pin'), slot: opt<number>('hsm.slot'), token_label: opt<string>('hsm.token_label') }),
  }
  if (enabled && (out.library === undefined || out.library === '')) {
    throw new ConfigError('invalid configuration: hsm.library is required when hsm.enabled is true (the path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)')
  }
  if (enabled && out.slot === undefined && (out.token_label ?? '') === '') {
    throw new ConfigError('invalid configuration: hsm.enabled needs hsm.token_label or hsm.slot to name the token')
  }
  return out
}

function identityProviderOf(opt: Opt, notices: string[]): Config['urls']['identity_provider'] {
  const url = opt<string>('urls.identity_provider.url')
  const publicUrl = opt<string>('urls.identity_provider.publicUrl')
  const headers = opt<Record<string, string>>('urls.identity_provider.headers')
  if (publicUrl !== undefined) {
    notices.push(
      "configuration key urls.identity_provider.publicUrl has no effect in Orthrus: only Hydra's resource owner password grant uses it, which Hydra leaves off by default and Orthrus does not offer",
    )
  }
  if (url === undefined && publicUrl === undefined && headers === undefined) return undefined
  return { ...definedOnly({ url, publicUrl }), headers: headers ?? {} }
}

function definedOnly<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}

function oauth2(get: Get, opt: Opt, warnings: string[]): Config['oauth2'] {
  // Hydra: the grace period is at most 5 minutes, unless a reuse count is set (then 180 days).
  const reuseCount = get<number>('oauth2.grant.refresh_token.rotation_grace_reuse_count')
  const maxGrace = reuseCount > 0 ? MAX_180_DAYS : MAX_GRACE_PERIOD
  const encryptAtRest = get<boolean>('oauth2.session.encrypt_at_rest')
  if (!encryptAtRest) {
    warnings.push(
      'oauth2.session.encrypt_at_rest = false: OAuth 2.0 and OpenID Connect sessions (claims about users) are stored UNENCRYPTED in the database; anyone who can read it reads them',
    )
  }
  return {
    expose_internal_errors: get('oauth2.expose_internal_errors'),
    session: { encrypt_at_rest: encryptAtRest },
    preserve_ext_claims: get('oauth2.preserve_ext_claims'),
    exclude_not_before_claim: get('oauth2.exclude_not_before_claim'),
    allowed_top_level_claims: [...new Set(get<string[]>('oauth2.allowed_top_level_claims'))],
    mirror_top_level_claims: get('oauth2.mirror_top_level_claims'),
    hashers: {
      algorithm: get('oauth2.hashers.algorithm'),
      bcrypt: { cost: get('oauth2.hashers.bcrypt.cost') },
      pbkdf2: { iterations: get('oauth2.hashers.pbkdf2.iterations') },
    },
    pkce: { enforced: get('oauth2.pkce.enforced'), enforced_for_public_clients: get('oauth2.pkce.enforced_for_public_clients') },
    pushed_authorization_requests: {
      lifespan: get('oauth2.pushed_authorization_requests.lifespan'),
      required: get('oauth2.pushed_authorization_requests.required'),
    },
    device_authorization: {
      token_polling_interval: get('oauth2.device_authorization.token_polling_interval'),
      user_code: userCode(opt),
      verification_budget: {
        attempts: get('oauth2.device_authorization.verification_budget.attempts'),
        window: get('oauth2.device_authorization.verification_budget.window'),
      },
    },
    client_credentials: { default_grant_allowed_scope: get('oauth2.client_credentials.default_grant_allowed_scope') },
    dpop: {
      signing_algorithms: [...new Set(get<string[]>('oauth2.dpop.signing_algorithms'))],
      proof_lifespan: get('oauth2.dpop.proof_lifespan'),
      require_nonce: get('oauth2.dpop.require_nonce'),
    },
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

function webhooks(opt: Opt): Pick<Config['oauth2'], 'token_hook' | 'refresh_token_hook'> {
  const out: Pick<Config['oauth2'], 'token_hook' | 'refresh_token_hook'> = {}
  const token = opt<WebhookConfig>('oauth2.token_hook')
  const refresh = opt<WebhookConfig>('oauth2.refresh_token_hook')
  if (token) out.token_hook = token
  if (refresh) out.refresh_token_hook = refresh
  return out
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
      allowed_grant_types: get('oidc.dynamic_client_registration.allowed_grant_types'),
      // Unset: the scopes a registrant may name are the ones it gets when it names none.
      allowed_scopes: opt<string[]>('oidc.dynamic_client_registration.allowed_scopes') ?? get('oidc.dynamic_client_registration.default_scope'),
      allowed_audiences: get('oidc.dynamic_client_registration.allowed_audiences'),
    },
  }
}

// --dev without secrets.system: the secret kept beside the SQLite file, else a throw-away one.
function devSystemSecret(dsn: string, keep: boolean, warnings: string[]): string {
  const path = keep ? devSecretPath(dsn) : undefined
  if (path === undefined) {
    warnings.push(NO_SECRET_WARNING)
    return randomBytes(24).toString('base64url') // 32 characters
  }
  const kept = loadOrCreateDevSecret(path)
  warnings.push(kept.created ? devSecretCreated(path) : devSecretReused(path))
  return kept.secret
}

function capped(path: string, ms: number, max: number, warnings: string[]): number {
  if (ms <= max) return ms
  warnings.push(`${path} = ${formatDuration(ms)} is longer than the maximum of ${formatDuration(max)}: capped`)
  return max
}

/** Hydra's publicFallbackURL: `fallback` appended to the public URL's path. */
export function fallbackPageUrl(publicUrl: string, fallback: string): string {
  const url = new URL(publicUrl)
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${fallback}`
  return url.href
}

function reachableHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::' || host.startsWith('unix:')) return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

