// Our own compact description of every configuration key Orthrus understands. Names, types,
// defaults and enums follow Hydra's configuration schema (spec/config.json plus ory/x's
// serve, cors and tls sub-schemas) so a Hydra config file and Hydra environment variables work
// unchanged. The loader derives everything from this table: defaults, the environment-variable
// names, unknown-key detection and validation.
//
// Deliberate choices, documented once here:
// - serve.*.host defaults to '0.0.0.0' (ory/x's serve schema default: every IPv4 interface),
//   but to '127.0.0.1' with --dev (its demo login and open admin API stay on this machine); the
//   default is applied in derive.ts, which knows the mode. Hydra's code treats '' like '0.0.0.0',
//   which is what Node's listen() wants. A value starting with `unix:` names a Unix socket, as in Hydra.
// - serve.*.port allows 0 (the OS picks a free port; handy for tests). Hydra's minimum is 1.
// - Defaults of durations are written as text and go through the same parser as user values.

import { isIP } from 'node:net'

export type KeyKind =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'duration'
  /** ttl.refresh_token: a duration, or -1 / "-1" for "never expires". */
  | 'duration-or-minus-one'
  /** A positive integer, or `auto` (serve.workers). */
  | 'integer-or-auto'
  /** An absolute http(s) URL. */
  | 'url'
  /** An absolute http(s) URL or a path such as `/ui/login` (resolved against urls.self.public). */
  | 'uri-reference'
  | 'string[]'
  | 'enum'
  | 'enum[]'
  /**
   * Hydra's `oneOf: [string, object]` (e.g. webhooks): an object whose leaves are `fields`, or a
   * bare string that sets the `shorthand` field. Loaded as the object.
   */
  | 'string-or-object'
  /** A number (Hydra's `type: number`, e.g. sampling ratios). */
  | 'number'
  /** An object of string values (HTTP headers); from the environment, a JSON object. */
  | 'string-map'

export interface KeySpec {
  /** Dotted path, e.g. `urls.self.issuer`. */
  readonly path: string
  readonly kind: KeyKind
  /** Raw default, in the same notation a config file uses. Absent: no default (optional key). */
  readonly default?: unknown
  /** Allowed values of `enum` keys and of `enum[]` items. */
  readonly values?: readonly string[]
  readonly min?: number
  readonly max?: number
  /** Minimum length of each item of a `string[]` key. */
  readonly minItemLength?: number
  /** Extra rule for a `string` value or each `string[]` item: returns what is wrong, or undefined. */
  readonly check?: (value: string) => string | undefined
  /** `secret`: never echo the value; `password`: echo with the password masked (DSNs). */
  readonly redact?: 'secret' | 'password'
  /** `string-or-object`: the object's leaves, paths relative to the key (`auth.config.name`). */
  readonly fields?: readonly KeySpec[]
  /** `string-map`: rule for each key of the object. */
  readonly keyCheck?: (key: string) => string | undefined
  /** `string-or-object`: the field a bare string sets. */
  readonly shorthand?: string
  /**
   * `string-or-object`: leaves that must be present; a nested one (`auth.type`) only when
   * something under its first segment (`auth`) is given, as JSON Schema's nested `required`.
   */
  readonly required?: readonly string[]
}

export const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const
export const LOG_FORMATS = ['json', 'json_pretty', 'text'] as const
export const HTTP_METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'HEAD', 'OPTIONS', 'TRACE'] as const

// ory/x cors schema: each origin is `*` or a URI, with at most one `*` wildcard inside.
function checkOrigin(origin: string): string | undefined {
  if (origin === '*') return undefined
  if ((origin.match(/\*/g) ?? []).length > 1) return 'may contain at most one * wildcard'
  try {
    new URL(origin.replace('*', 'wildcard'))
    return undefined
  } catch {
    return 'is not an origin (expected e.g. https://example.com, https://*.example.com or *)'
  }
}

// Hydra's DSN forms (plus the aliases src/persistence/dsn.ts understands).
export const DSN_SCHEMES = ['sqlite', 'sqlite3', 'postgres', 'postgresql', 'cockroach', 'cockroachdb', 'mysql'] as const

function checkDsn(dsn: string): string | undefined {
  if (dsn === 'memory') return undefined
  const scheme = /^([a-z0-9+]+):\/\//i.exec(dsn)?.[1]?.toLowerCase()
  if (scheme !== undefined && (DSN_SCHEMES as readonly string[]).includes(scheme)) return undefined
  return `must be memory or start with ${DSN_SCHEMES.map((s) => `${s}://`).join(', ')}`
}

// An IPv4 or IPv6 CIDR range such as 10.0.0.0/8 or fd00::/8.
function checkCidr(range: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(range)
  const family = m?.[1] === undefined ? 0 : isIP(m[1])
  if (!m || family === 0 || Number(m[2]) > (family === 4 ? 32 : 128)) return 'is not a CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)'
  return undefined
}

function tlsKeys(prefix: string): KeySpec[] {
  // No defaults: a listener's TLS settings fall back to serve.tls.* (Hydra's driver/config/tls.go).
  return [
    { path: `${prefix}.tls.enabled`, kind: 'boolean' },
    { path: `${prefix}.tls.cert.path`, kind: 'string' },
    { path: `${prefix}.tls.cert.base64`, kind: 'string' },
    { path: `${prefix}.tls.key.path`, kind: 'string' },
    { path: `${prefix}.tls.key.base64`, kind: 'string', redact: 'secret' },
    // Plain-HTTP requests are served only from these ranges, with X-Forwarded-Proto: https (src/http/proxy.ts).
    { path: `${prefix}.tls.allow_termination_from`, kind: 'string[]', check: checkCidr },
  ]
}

function listenerKeys(prefix: string, port: number): KeySpec[] {
  return [
    // No default here: 0.0.0.0, or 127.0.0.1 with --dev (derive.ts listener()).
    { path: `${prefix}.host`, kind: 'string' },
    { path: `${prefix}.port`, kind: 'integer', default: port, min: 0, max: 65535 },
    // The URL the listener is reached at (ory/x serve schema): urls.self.public / .admin fall back to it.
    { path: `${prefix}.base_url`, kind: 'uri-reference' },
    { path: `${prefix}.socket.owner`, kind: 'string', default: '' },
    { path: `${prefix}.socket.group`, kind: 'string', default: '' },
    // 493 is 0o755, ory/x's default socket mode.
    { path: `${prefix}.socket.mode`, kind: 'integer', default: 493, min: 0, max: 511 },
    { path: `${prefix}.request_log.disable_for_health`, kind: 'boolean', default: false },
    // Orthrus: slow-client limits (src/http/app.ts). Headers within 10 s, the whole request within
    // 30 s, idle keep-alive connections closed after 72 s (Fastify's default), at most 4096 open
    // connections; 0 switches a limit off.
    { path: `${prefix}.timeouts.header`, kind: 'duration', default: '10s' },
    { path: `${prefix}.timeouts.read`, kind: 'duration', default: '30s' },
    { path: `${prefix}.timeouts.idle`, kind: 'duration', default: '72s' },
    { path: `${prefix}.max_connections`, kind: 'integer', default: 4096, min: 0 },
    ...tlsKeys(prefix),
    // CORS defaults: Hydra's driver/config/serve.go, narrowed to the methods an API uses.
    { path: `${prefix}.cors.enabled`, kind: 'boolean', default: false },
    { path: `${prefix}.cors.allowed_origins`, kind: 'string[]', default: ['*'], check: checkOrigin },
    {
      path: `${prefix}.cors.allowed_methods`,
      kind: 'enum[]',
      values: HTTP_METHODS,
      default: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'],
    },
    {
      path: `${prefix}.cors.allowed_headers`,
      kind: 'string[]',
      default: ['Accept', 'Content-Type', 'Content-Length', 'Accept-Language', 'Content-Language', 'Authorization'],
    },
    {
      path: `${prefix}.cors.exposed_headers`,
      kind: 'string[]',
      default: ['Cache-Control', 'Expires', 'Last-Modified', 'Pragma', 'Content-Length', 'Content-Language', 'Content-Type'],
    },
    { path: `${prefix}.cors.allow_credentials`, kind: 'boolean', default: true },
    { path: `${prefix}.cors.max_age`, kind: 'integer', default: 0, min: 0 },
    { path: `${prefix}.cors.debug`, kind: 'boolean', default: false },
    // Preflights go on to the router, which answers OPTIONS for a known path with 200 and Allow.
    { path: `${prefix}.cors.options_passthrough`, kind: 'boolean', default: false },
  ]
}

// A header or cookie name (RFC 9110 §5.6.2 token) and a value a header can carry.
const checkToken = (v: string): string | undefined => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v) ? undefined : 'is not a valid header or cookie name')
// eslint-disable-next-line no-control-regex
const checkHeaderValue = (v: string): string | undefined => (/[\x00-\x1f\x7f]/.test(v) ? 'may not contain control characters' : undefined)

// Hydra's webhook_config: a URL, or {url, auth: {type: api_key, config: {name, value, in}}}.
function webhookKey(path: string): KeySpec {
  return {
    path,
    kind: 'string-or-object',
    shorthand: 'url',
    required: ['url', 'auth.type', 'auth.config.name', 'auth.config.value'],
    fields: [
      { path: 'url', kind: 'url' },
      { path: 'auth.type', kind: 'enum', values: ['api_key'] },
      { path: 'auth.config.name', kind: 'string', check: checkToken },
      { path: 'auth.config.value', kind: 'string', redact: 'secret', check: checkHeaderValue },
      { path: 'auth.config.in', kind: 'enum', values: ['header', 'cookie'] },
    ],
  }
}

// tracing.providers.otlp.server_url: Hydra's host:port, or a URL with an http(s) scheme.
function checkOtlpServer(value: string): string | undefined {
  try {
    const url = new URL(/^https?:\/\//i.test(value) ? value : `http://${value}`)
    return url.hostname === '' ? 'names no host' : undefined
  } catch {
    return 'is not host:port (e.g. localhost:4318) or an http(s) URL'
  }
}

// tracing.providers.jaeger.local_agent_address: host:port (ory/x tracing schema).
function checkHostPort(value: string): string | undefined {
  return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i.test(value) ? undefined : 'is not host:port (e.g. 127.0.0.1:6831)'
}

// The oneOf of oauth2.device_authorization.user_code's second branch: at least 8 distinct characters.
function checkCharacterSet(value: string): string | undefined {
  return new Set(value).size >= 8 ? undefined : 'needs at least 8 different characters'
}

const secretList = (path: string): KeySpec => ({ path, kind: 'string[]', minItemLength: 16, redact: 'secret' })

export const CONFIG_KEYS: readonly KeySpec[] = [
  { path: 'dev', kind: 'boolean', default: false },
  { path: 'dsn', kind: 'string', redact: 'password', check: checkDsn },

  { path: 'log.level', kind: 'enum', values: LOG_LEVELS, default: 'info' },
  { path: 'log.format', kind: 'enum', values: LOG_FORMATS, default: 'text' },
  { path: 'log.leak_sensitive_values', kind: 'boolean', default: false },
  { path: 'log.redaction_text', kind: 'string', default: '' },

  ...listenerKeys('serve.public', 4444),
  ...listenerKeys('serve.admin', 4445),
  // Orthrus addition: the admin web console at /console/ on the admin listener (src/http/console-routes.ts).
  { path: 'serve.admin.console.enabled', kind: 'boolean', default: true },
  ...tlsKeys('serve'),
  // Not in Hydra's schema: processes serving the listeners (src/cluster/); `auto` is one per CPU.
  { path: 'serve.workers', kind: 'integer-or-auto', default: 1, min: 1, max: 1024 },
  { path: 'serve.cookies.same_site_mode', kind: 'enum', values: ['Strict', 'Lax', 'None'], default: 'None' },
  { path: 'serve.cookies.same_site_legacy_workaround', kind: 'boolean', default: false },
  { path: 'serve.cookies.domain', kind: 'string' },
  { path: 'serve.cookies.secure', kind: 'boolean', default: false },
  { path: 'serve.cookies.names.device_csrf', kind: 'string', default: 'ory_hydra_device_csrf' },
  { path: 'serve.cookies.names.login_csrf', kind: 'string', default: 'ory_hydra_login_csrf' },
  { path: 'serve.cookies.names.consent_csrf', kind: 'string', default: 'ory_hydra_consent_csrf' },
  { path: 'serve.cookies.names.session', kind: 'string', default: 'ory_hydra_session' },
  { path: 'serve.cookies.paths.session', kind: 'string', default: '/' },

  // URL defaults depend on other keys (issuer, ports); the loader derives them.
  { path: 'urls.self.issuer', kind: 'url' },
  { path: 'urls.self.public', kind: 'url' },
  { path: 'urls.self.admin', kind: 'url' },
  { path: 'urls.login', kind: 'uri-reference' },
  { path: 'urls.registration', kind: 'uri-reference' },
  { path: 'urls.consent', kind: 'uri-reference' },
  { path: 'urls.logout', kind: 'uri-reference' },
  { path: 'urls.error', kind: 'uri-reference' },
  { path: 'urls.post_logout_redirect', kind: 'uri-reference' },
  { path: 'urls.device.verification', kind: 'uri-reference' },
  { path: 'urls.device.success', kind: 'uri-reference' },
  // Ory Kratos' admin URL: a deleted login session disables the identity provider's session there.
  { path: 'urls.identity_provider.url', kind: 'url' },
  // Only Hydra's resource-owner password grant (off by default in Hydra, absent here) uses it: a notice.
  { path: 'urls.identity_provider.publicUrl', kind: 'url' },
  { path: 'urls.identity_provider.headers', kind: 'string-map', redact: 'secret', check: checkHeaderValue, keyCheck: checkToken },

  secretList('secrets.system'),
  secretList('secrets.cookie'),
  secretList('secrets.pagination'),

  { path: 'ttl.login_consent_request', kind: 'duration', default: '30m' },
  { path: 'ttl.authentication_session', kind: 'duration', default: '720h' },
  { path: 'ttl.access_token', kind: 'duration', default: '1h' },
  { path: 'ttl.refresh_token', kind: 'duration-or-minus-one', default: '720h' },
  { path: 'ttl.id_token', kind: 'duration', default: '1h' },
  { path: 'ttl.auth_code', kind: 'duration', default: '10m' },
  { path: 'ttl.device_user_code', kind: 'duration', default: '10m' },
  { path: 'ttl.vc_nonce', kind: 'duration', default: '1h' },

  { path: 'strategies.scope', kind: 'enum', values: ['exact', 'wildcard'], default: 'wildcard' },
  { path: 'strategies.access_token', kind: 'enum', values: ['opaque', 'jwt'], default: 'opaque' },
  { path: 'strategies.jwt.scope_claim', kind: 'enum', values: ['list', 'string', 'both'], default: 'list' },

  { path: 'oauth2.expose_internal_errors', kind: 'boolean', default: false },
  { path: 'oauth2.session.encrypt_at_rest', kind: 'boolean', default: true },
  { path: 'oauth2.preserve_ext_claims', kind: 'boolean', default: false },
  { path: 'oauth2.exclude_not_before_claim', kind: 'boolean', default: false },
  { path: 'oauth2.allowed_top_level_claims', kind: 'string[]', default: [] },
  { path: 'oauth2.mirror_top_level_claims', kind: 'boolean', default: true },
  { path: 'oauth2.hashers.algorithm', kind: 'enum', values: ['pbkdf2', 'bcrypt'], default: 'pbkdf2' },
  { path: 'oauth2.hashers.bcrypt.cost', kind: 'integer', default: 10, min: 4, max: 31 },
  { path: 'oauth2.hashers.pbkdf2.iterations', kind: 'integer', default: 25000, min: 1 },
  { path: 'oauth2.pkce.enforced', kind: 'boolean', default: false },
  { path: 'oauth2.pkce.enforced_for_public_clients', kind: 'boolean', default: false },
  // RFC 9126 (Orthrus addition; Hydra has no pushed authorization requests).
  { path: 'oauth2.pushed_authorization_requests.lifespan', kind: 'duration', default: '60s' },
  { path: 'oauth2.pushed_authorization_requests.required', kind: 'boolean', default: false },
  { path: 'oauth2.device_authorization.token_polling_interval', kind: 'duration', default: '5s' },
  // Hydra's presets (driver/config/provider.go), or length + character_set; never both.
  { path: 'oauth2.device_authorization.user_code.entropy_preset', kind: 'enum', values: ['high', 'medium', 'low'] },
  { path: 'oauth2.device_authorization.user_code.length', kind: 'integer', min: 6, max: 64 },
  { path: 'oauth2.device_authorization.user_code.character_set', kind: 'string', check: checkCharacterSet },
  // Orthrus addition: new device challenges per client address and window (flow/device.ts).
  { path: 'oauth2.device_authorization.verification_budget.attempts', kind: 'integer', default: 60, min: 1 },
  { path: 'oauth2.device_authorization.verification_budget.window', kind: 'duration', default: '10m' },
  { path: 'oauth2.client_credentials.default_grant_allowed_scope', kind: 'boolean', default: false },
  { path: 'oauth2.grant.refresh_token.rotation_grace_period', kind: 'duration', default: '0s' },
  { path: 'oauth2.grant.refresh_token.rotation_grace_reuse_count', kind: 'integer', default: 0, min: 0 },
  { path: 'oauth2.grant.jwt.jti_optional', kind: 'boolean', default: false },
  { path: 'oauth2.grant.jwt.iat_optional', kind: 'boolean', default: false },
  { path: 'oauth2.grant.jwt.max_ttl', kind: 'duration', default: '720h' },
  { path: 'oauth2.grant.jwt.omit_assertion_audience', kind: 'boolean', default: true },
  // Orthrus addition: DPoP, RFC 9449 (src/oauth2/dpop.ts).
  { path: 'oauth2.dpop.signing_algorithms', kind: 'enum[]', values: ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'], default: ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'] },
  { path: 'oauth2.dpop.proof_lifespan', kind: 'duration', default: '1m' },
  { path: 'oauth2.dpop.require_nonce', kind: 'boolean', default: false },
  webhookKey('oauth2.token_hook'),
  webhookKey('oauth2.refresh_token_hook'),

  { path: 'oidc.subject_identifiers.supported_types', kind: 'enum[]', values: ['public', 'pairwise'], default: ['public'] },
  { path: 'oidc.subject_identifiers.pairwise.salt', kind: 'string', redact: 'secret' },
  { path: 'oidc.dynamic_client_registration.enabled', kind: 'boolean', default: false },
  // Hydra's DefaultClientScope fallback (driver/config/provider.go).
  { path: 'oidc.dynamic_client_registration.default_scope', kind: 'string[]', default: ['offline_access', 'offline', 'openid'] },
  // Orthrus' registration policy (src/client/registration-policy.ts): what an anonymous registrant
  // may give itself. Browser grants only by default; scopes default to default_scope.
  {
    path: 'oidc.dynamic_client_registration.allowed_grant_types',
    kind: 'enum[]',
    values: [
      'authorization_code',
      'refresh_token',
      'implicit',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    default: ['authorization_code', 'refresh_token', 'implicit'],
  },
  { path: 'oidc.dynamic_client_registration.allowed_scopes', kind: 'string[]' },
  { path: 'oidc.dynamic_client_registration.allowed_audiences', kind: 'string[]', default: [] },

  // Outbound requests (src/outbound/fetcher.ts): only public addresses, except for URLs matching the globs.
  { path: 'clients.http.disallow_private_ip_ranges', kind: 'boolean', default: false },
  { path: 'clients.http.private_ip_exception_urls', kind: 'string[]', default: [] },

  // Hydra tolerates table columns it does not know only when this is set (src/registry.ts checkUnknownMigrations).
  { path: 'db.ignore_unknown_table_columns', kind: 'boolean', default: false },
  // cpu | mem: a V8 CPU profile or sampling heap profile of `serve`, written on shutdown (src/cli/profiling.ts).
  { path: 'profiling', kind: 'enum', values: ['cpu', 'mem'] },
  { path: 'feature_flags.legacy_allow_insecure_origins', kind: 'boolean', default: false },

  // Signing keys of the key sets held in a PKCS#11 token (src/jwk/hsm.ts).
  { path: 'hsm.enabled', kind: 'boolean', default: false },
  { path: 'hsm.library', kind: 'string' },
  { path: 'hsm.pin', kind: 'string', redact: 'secret' },
  { path: 'hsm.slot', kind: 'integer', min: 0 },
  { path: 'hsm.token_label', kind: 'string' },
  { path: 'hsm.key_set_prefix', kind: 'string', default: '' },

  // What /.well-known/jwks.json publishes and what discovery advertises (src/oidc/discovery.ts).
  { path: 'webfinger.jwks.broadcast_keys', kind: 'string[]', default: ['hydra.openid.id-token'] },
  { path: 'webfinger.oidc_discovery.jwks_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.token_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.auth_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.device_authorization_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.client_registration_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.userinfo_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.verifiable_credentials_url', kind: 'uri-reference' },
  { path: 'webfinger.oidc_discovery.supported_claims', kind: 'string[]', default: [] },
  { path: 'webfinger.oidc_discovery.supported_scope', kind: 'string[]', default: [] },

  // Tracing (src/observability/tracing-config.ts): OTLP over HTTP, Zipkin, and jaeger mapped onto OTLP.
  { path: 'tracing.provider', kind: 'enum', values: ['jaeger', 'otel', 'zipkin'] },
  { path: 'tracing.service_name', kind: 'string' },
  { path: 'tracing.deployment_environment', kind: 'string' },
  // host:port as in Hydra (e.g. localhost:4318); a full http(s) URL is accepted too.
  { path: 'tracing.providers.otlp.server_url', kind: 'string', check: checkOtlpServer },
  { path: 'tracing.providers.otlp.insecure', kind: 'boolean', default: false },
  { path: 'tracing.providers.otlp.authorization_header', kind: 'string', redact: 'secret', check: checkHeaderValue },
  { path: 'tracing.providers.otlp.sampling.sampling_ratio', kind: 'number' },
  { path: 'tracing.providers.zipkin.server_url', kind: 'url' },
  { path: 'tracing.providers.zipkin.sampling.sampling_ratio', kind: 'number' },
  { path: 'tracing.providers.jaeger.local_agent_address', kind: 'string', check: checkHostPort },
  { path: 'tracing.providers.jaeger.sampling.server_url', kind: 'url' },
  { path: 'tracing.providers.jaeger.sampling.trace_id_ratio', kind: 'number' },
]

/**
 * Leaf keys of Hydra's schema that have no effect in Orthrus. A configuration may carry them, in
 * the file or the environment: each is accepted with a one-line notice saying why
 * (src/config/notices.ts), never silently.
 */
export const IGNORED_HYDRA_KEYS: readonly string[] = [
  'version',
  'sqa.opt_out',
  'cgroups.v1.auto_max_procs_enabled',
]

/** Sections whose schema allows any key (`additionalProperties: true`): unknown keys get a notice. */
export const OPEN_SECTIONS: readonly string[] = ['sqa', 'feature_flags']

/** `urls.self.issuer` → `URLS_SELF_ISSUER`: Hydra's (koanf's) environment naming. */
export function envNameOf(path: string): string {
  return path.replaceAll('.', '_').toUpperCase()
}

export const KEY_BY_PATH: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((k) => [k.path, k]))

/** Environment name → key. Built once; two keys mapping to one name would be a bug in the table. */
export const KEY_BY_ENV: ReadonlyMap<string, KeySpec> = (() => {
  const table = new Map<string, KeySpec>()
  for (const key of CONFIG_KEYS) {
    const name = envNameOf(key.path)
    const taken = table.get(name)
    if (taken) throw new Error(`config schema: ${key.path} and ${taken.path} share the env name ${name}`)
    table.set(name, key)
  }
  return table
})()

/** Every dotted prefix that is a section (object) rather than a value, e.g. `serve`, `serve.public`. */
export const SECTIONS: ReadonlySet<string> = new Set(
  [...CONFIG_KEYS.map((k) => k.path), ...IGNORED_HYDRA_KEYS].flatMap((path) => {
    const parts = path.split('.')
    return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'))
  }),
)
