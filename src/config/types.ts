// The validated, frozen configuration. Key names mirror Hydra's configuration keys
// (snake_case, same nesting) so `urls.self.issuer` here is `URLS_SELF_ISSUER` in the
// environment. Durations are converted to milliseconds at load time.
import type { TracingConfig } from '../observability/tracing-config.js'

export type LogLevel = 'panic' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
export type LogFormat = 'json' | 'json_pretty' | 'text'

export interface TlsConfig {
  enabled: boolean
  cert?: { path?: string; base64?: string }
  key?: { path?: string; base64?: string }
  /** CIDR ranges of TLS-terminating proxies; absent: no termination upstream (src/http/proxy.ts). */
  allow_termination_from?: string[]
}

export interface CorsConfig {
  enabled: boolean
  allowed_origins: string[]
  allowed_methods: string[]
  allowed_headers: string[]
  exposed_headers: string[]
  allow_credentials: boolean
  max_age: number
  debug: boolean
  /** Hand preflights on to the router (rs/cors OptionsPassthrough) instead of answering them 204. */
  options_passthrough: boolean
  /** feature_flags.legacy_allow_insecure_origins: wildcards not bounded at a registrable domain match too. */
  legacy_allow_insecure_origins?: boolean
}

export interface ListenerConfig {
  /** Where the listener is reached from outside (ory/x serve schema); urls.self.* fall back to it. */
  base_url?: string
  host: string
  port: number
  socket?: { owner?: string; group?: string; mode?: number }
  request_log: { disable_for_health: boolean }
  /** Orthrus: milliseconds; 0 is no limit. */
  timeouts: { header: number; read: number; idle: number }
  /** Orthrus: open connections at most; 0 is no limit. */
  max_connections: number
  tls: TlsConfig
  cors: CorsConfig
}

/** Hydra's hsm section: signing keys held in a PKCS#11 token (src/jwk/hsm.ts). */
export interface HsmConfig {
  enabled: boolean
  /** Path of the vendor's PKCS#11 library. */
  library?: string
  pin?: string
  slot?: number
  /** Wins over `slot` when both are set (Hydra: the first slot holding a token with this label). */
  token_label?: string
  /** Prepended to a key set's name to form the keys' CKA_LABEL. */
  key_set_prefix: string
}

/** Hydra's oauth2.device_authorization.user_code: a preset, or length + character set. */
export interface UserCodeConfig {
  entropy_preset?: 'high' | 'medium' | 'low'
  length?: number
  character_set?: string
}

export interface Config {
  dev: boolean
  db: { ignore_unknown_table_columns: boolean }
  /** Write a CPU profile or heap profile of `serve` on shutdown (src/cli/profiling.ts). */
  profiling?: 'cpu' | 'mem'
  feature_flags: { legacy_allow_insecure_origins: boolean }
  hsm: HsmConfig
  webfinger: {
    /** Key sets published at /.well-known/jwks.json, besides the ID and access token sets. */
    jwks: { broadcast_keys: string[] }
    /** What discovery advertises instead of Orthrus' own endpoints, resolved against urls.self.public. */
    oidc_discovery: {
      jwks_url?: string
      token_url?: string
      auth_url?: string
      device_authorization_url?: string
      client_registration_url?: string
      userinfo_url?: string
      verifiable_credentials_url?: string
      supported_claims: string[]
      supported_scope: string[]
    }
  }
  /** Hydra's tracing section, when configured (OpenTelemetry; OTEL_* variables also apply). */
  tracing?: TracingConfig
  /** Always set after loading: `--dev` without DSN falls back to an SQLite file. */
  dsn: string
  log: {
    level: LogLevel
    format: LogFormat
    leak_sensitive_values: boolean
    redaction_text: string
  }
  serve: {
    public: ListenerConfig
    /** Orthrus addition: console.enabled serves the admin web console at /console/. */
    admin: ListenerConfig & { console: { enabled: boolean } }
    /** Processes serving the listeners: a count, or `auto` for one per CPU (src/cluster/). */
    workers: number | 'auto'
    tls: TlsConfig
    cookies: {
      same_site_mode: 'Strict' | 'Lax' | 'None'
      same_site_legacy_workaround: boolean
      domain?: string
      secure: boolean
      names: { device_csrf: string; login_csrf: string; consent_csrf: string; session: string }
      paths: { session: string }
    }
  }
  urls: {
    self: { issuer: string; public: string; admin: string }
    login: string
    registration?: string
    consent: string
    logout: string
    error: string
    post_logout_redirect: string
    device: { verification: string; success: string }
    /** Ory Kratos (or a compatible identity provider) whose sessions end with Orthrus' login sessions. */
    identity_provider?: { url?: string; publicUrl?: string; headers: Record<string, string> }
  }
  secrets: {
    /** First entry encrypts; every entry decrypts. Never empty after loading. */
    system: string[]
    cookie: string[]
    pagination: string[]
  }
  /** Milliseconds. */
  ttl: {
    login_consent_request: number
    authentication_session: number
    access_token: number
    /** -1: refresh tokens never expire. */
    refresh_token: number
    id_token: number
    auth_code: number
    device_user_code: number
    /** How long a verifiable-credential proof nonce (c_nonce) may be used. */
    vc_nonce: number
  }
  strategies: {
    scope: 'exact' | 'wildcard'
    access_token: 'opaque' | 'jwt'
    jwt: { scope_claim: 'list' | 'string' | 'both' }
  }
  oauth2: {
    expose_internal_errors: boolean
    /** false: token, code and device sessions are stored as plaintext JSON (read either way). */
    session: { encrypt_at_rest: boolean }
    /** With mirror_top_level_claims false: keep the claims not copied to the top level in `ext`. */
    preserve_ext_claims: boolean
    exclude_not_before_claim: boolean
    allowed_top_level_claims: string[]
    mirror_top_level_claims: boolean
    hashers: {
      algorithm: 'pbkdf2' | 'bcrypt'
      bcrypt: { cost: number }
      pbkdf2: { iterations: number }
    }
    pkce: { enforced: boolean; enforced_for_public_clients: boolean }
    /** RFC 9126; lifespan in milliseconds. */
    pushed_authorization_requests: { lifespan: number; required: boolean }
    /** RFC 8628; milliseconds. */
    device_authorization: {
      token_polling_interval: number
      user_code: UserCodeConfig
      /** Orthrus addition: device challenges one client address may start per window (ms). */
      verification_budget: { attempts: number; window: number }
    }
    client_credentials: { default_grant_allowed_scope: boolean }
    /** RFC 9449 (Orthrus addition); proof_lifespan in milliseconds. */
    dpop: { signing_algorithms: string[]; proof_lifespan: number; require_nonce: boolean }
    grant: {
      refresh_token: { rotation_grace_period: number; rotation_grace_reuse_count: number }
      jwt: { jti_optional: boolean; iat_optional: boolean; max_ttl: number; omit_assertion_audience: boolean }
    }
    /** Called before every grant issues tokens (src/oauth2/token-hook-http.ts). */
    token_hook?: WebhookConfig
    /** Called before the refresh_token grant issues tokens, ahead of token_hook. */
    refresh_token_hook?: WebhookConfig
  }
  oidc: {
    subject_identifiers: { supported_types: Array<'public' | 'pairwise'>; pairwise: { salt?: string } }
    dynamic_client_registration: {
      enabled: boolean
      default_scope: string[]
      /** Orthrus: what a dynamically registered client may name (src/client/registration-policy.ts). */
      allowed_grant_types: string[]
      allowed_scopes: string[]
      allowed_audiences: string[]
    }
  }
  /** Outbound HTTP requests (src/outbound/fetcher.ts). */
  clients: {
    http: { disallow_private_ip_ranges: boolean; private_ip_exception_urls: string[] }
  }
}

/** Hydra's webhook_config (a bare URL in the file loads as `{ url }`). */
export interface WebhookConfig {
  url: string
  auth?: { type: 'api_key'; config: { name: string; value: string; in?: 'header' | 'cookie' } }
}

/** Thrown for any invalid configuration; the message is one line naming key, value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
