import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig, NO_SECRET_WARNING } from '../../src/config/loader.js'
import type { LoadConfigOptions, LoadedConfig } from '../../src/config/loader.js'
import { CONFIG_KEYS, envNameOf, KEY_BY_ENV } from '../../src/config/schema.js'
import { ConfigError } from '../../src/config/types.js'
import type { Config } from '../../src/config/types.js'

const dir = mkdtempSync(join(tmpdir(), 'orthrus-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SECRET = 'system-secret-0123456789'
/** The minimum a production (non-dev) start needs. */
const PROD_ENV = { DSN: 'postgres://hydra:pw@db:5432/hydra', URLS_SELF_ISSUER: 'https://auth.example.com/', SECRETS_SYSTEM: SECRET }

function load(opts: LoadConfigOptions = {}): LoadedConfig {
  return loadConfig({ cwd: dir, env: {}, ...opts })
}

let fileCount = 0
function file(ext: string, text: string): string {
  const name = `config-${++fileCount}${ext}`
  writeFileSync(join(dir, name), text)
  return name
}

/** Runs `fn`, expects a ConfigError and returns its message after checking it is one line. */
function failure(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    const message = (err as ConfigError).message
    expect(message).not.toMatch(/[\r\n]/)
    return message
  }
  throw new Error('expected a ConfigError')
}

describe('defaults', () => {
  it('follows Hydra outside dev mode', () => {
    const { config, warnings } = load({ env: PROD_ENV })
    expect(warnings).toEqual([])
    expect(config.dev).toBe(false)
    expect(config.serve.public).toMatchObject({ host: '0.0.0.0', port: 4444, tls: { enabled: false } })
    expect(config.serve.admin).toMatchObject({ host: '0.0.0.0', port: 4445 })
    expect(config.serve.public.socket).toEqual({ owner: '', group: '', mode: 0o755 })
    expect(config.serve.public.cors).toEqual({
      enabled: false,
      allowed_origins: ['*'],
      allowed_methods: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'],
      allowed_headers: ['Accept', 'Content-Type', 'Content-Length', 'Accept-Language', 'Content-Language', 'Authorization'],
      exposed_headers: ['Cache-Control', 'Expires', 'Last-Modified', 'Pragma', 'Content-Length', 'Content-Language', 'Content-Type'],
      allow_credentials: true,
      max_age: 0,
      debug: false,
      options_passthrough: false,
    })
    expect(config.log).toEqual({ level: 'info', format: 'text', leak_sensitive_values: false, redaction_text: '' })
    expect(config.ttl).toEqual({
      login_consent_request: 30 * 60_000,
      authentication_session: 720 * 3_600_000,
      access_token: 3_600_000,
      refresh_token: 720 * 3_600_000,
      id_token: 3_600_000,
      auth_code: 10 * 60_000,
      device_user_code: 10 * 60_000,
    })
    expect(config.strategies).toEqual({ scope: 'wildcard', access_token: 'opaque', jwt: { scope_claim: 'list' } })
    expect(config.oauth2.hashers).toEqual({ algorithm: 'pbkdf2', bcrypt: { cost: 10 }, pbkdf2: { iterations: 25000 } })
    expect(config.oauth2.pkce).toEqual({ enforced: false, enforced_for_public_clients: false })
    expect(config.oauth2.mirror_top_level_claims).toBe(true)
    expect(config.oauth2.grant).toEqual({
      refresh_token: { rotation_grace_period: 0, rotation_grace_reuse_count: 0 },
      jwt: { jti_optional: false, iat_optional: false, max_ttl: 720 * 3_600_000, omit_assertion_audience: true },
    })
    expect(config.serve.cookies).toEqual({
      same_site_mode: 'None',
      same_site_legacy_workaround: false,
      secure: true, // always, outside dev
      names: { device_csrf: 'ory_hydra_device_csrf', login_csrf: 'ory_hydra_login_csrf', consent_csrf: 'ory_hydra_consent_csrf', session: 'ory_hydra_session' },
      paths: { session: '/' },
    })
    expect(config.oidc.subject_identifiers.supported_types).toEqual(['public'])
    expect(config.oidc.dynamic_client_registration).toEqual({
      enabled: false,
      default_scope: ['offline_access', 'offline', 'openid'],
      allowed_grant_types: ['authorization_code', 'refresh_token', 'implicit'],
      allowed_scopes: ['offline_access', 'offline', 'openid'],
      allowed_audiences: [],
    })
    expect(config.secrets).toEqual({ system: [SECRET], cookie: [SECRET], pagination: [SECRET] })
  })

  it('derives every URL from the issuer and the admin port', () => {
    const { config } = load({ env: PROD_ENV })
    expect(config.urls).toEqual({
      self: { issuer: 'https://auth.example.com/', public: 'https://auth.example.com/', admin: 'https://127.0.0.1:4445/' },
      login: 'https://auth.example.com/oauth2/fallbacks/login',
      registration: 'https://auth.example.com/oauth2/fallbacks/login',
      consent: 'https://auth.example.com/oauth2/fallbacks/consent',
      logout: 'https://auth.example.com/oauth2/fallbacks/logout',
      error: 'https://auth.example.com/oauth2/fallbacks/error',
      post_logout_redirect: 'https://auth.example.com/oauth2/fallbacks/logout/callback',
      device: {
        verification: 'https://auth.example.com/oauth2/fallbacks/device',
        success: 'https://auth.example.com/oauth2/fallbacks/device/done',
      },
    })
  })

  it('appends fallbacks to a public URL with a path and resolves relative pages against it', () => {
    const { config } = load({
      env: { ...PROD_ENV, URLS_SELF_ISSUER: 'https://example.com/hydra', URLS_LOGIN: '/ui/login', URLS_SELF_ADMIN: 'https://admin.example.com' },
    })
    expect(config.urls.self.issuer).toBe('https://example.com/hydra') // verbatim: it is the `iss` claim
    expect(config.urls.self.public).toBe('https://example.com/hydra')
    expect(config.urls.self.admin).toBe('https://admin.example.com/')
    expect(config.urls.consent).toBe('https://example.com/hydra/oauth2/fallbacks/consent')
    expect(config.urls.login).toBe('https://example.com/ui/login')
    expect(config.urls.registration).toBe('https://example.com/ui/login')
  })

  it('returns a deeply frozen object', () => {
    const { config } = load({ env: PROD_ENV })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.serve.public.cors.allowed_origins)).toBe(true)
    expect(() => {
      ;(config.ttl as { access_token: number }).access_token = 1
    }).toThrow(TypeError)
  })
})

describe('dev mode', () => {
  it('fills in issuer, DSN and a throw-away secret with a loud warning', () => {
    const { config, warnings } = load({ dev: true })
    expect(config.dev).toBe(true)
    expect(config.urls.self.issuer).toBe('http://127.0.0.1:4444/')
    expect(config.urls.self.admin).toBe('http://127.0.0.1:4445/')
    expect(config.dsn).toBe(`sqlite://${dir}/orthrus.sqlite?_fk=true`)
    expect(config.dsn.startsWith('sqlite:///')).toBe(true)
    expect(config.secrets.system).toHaveLength(1)
    expect(config.secrets.system[0]).toHaveLength(32)
    expect(config.secrets.cookie).toEqual(config.secrets.system)
    expect(config.secrets.pagination).toEqual(config.secrets.system)
    expect(warnings).toEqual([NO_SECRET_WARNING])
    expect(load({ dev: true }).config.secrets.system).not.toEqual(config.secrets.system)
  })

  it('uses the public port for the default issuer and https when TLS is on', () => {
    expect(load({ dev: true, env: { SERVE_PUBLIC_PORT: '8080' } }).config.urls.self.issuer).toBe('http://127.0.0.1:8080/')
    const tls = load({ dev: true, env: { SERVE_PUBLIC_TLS_ENABLED: 'true' } }).config
    expect(tls.urls.self.issuer).toBe('https://127.0.0.1:4444/')
  })

  it('binds the listeners to 127.0.0.1 unless a host is given; outside dev, every interface', () => {
    const dev = load({ dev: true }).config.serve
    expect([dev.public.host, dev.admin.host]).toEqual(['127.0.0.1', '127.0.0.1'])
    const given = load({ dev: true, env: { SERVE_PUBLIC_HOST: '0.0.0.0' }, file: file('.yaml', 'serve:\n  admin:\n    host: "::"\n') }).config.serve
    expect([given.public.host, given.admin.host]).toEqual(['0.0.0.0', '::'])
    const prod = load({ env: PROD_ENV }).config.serve
    expect([prod.public.host, prod.admin.host]).toEqual(['0.0.0.0', '0.0.0.0'])
  })

  it('is switched on by DEV=true or `dev: true` in the file', () => {
    expect(load({ env: { DEV: 'true' } }).config.dev).toBe(true)
    expect(load({ file: file('.yaml', 'dev: true\n') }).config.dev).toBe(true)
  })

  it('applies Hydra dev cookie rules: _dev names, Lax for an http issuer, secure as configured', () => {
    const { config } = load({ dev: true })
    expect(config.serve.cookies.names.session).toBe('ory_hydra_session_dev')
    expect(config.serve.cookies.names.login_csrf).toBe('ory_hydra_login_csrf_dev')
    expect(config.serve.cookies.same_site_mode).toBe('Lax')
    expect(config.serve.cookies.secure).toBe(false)
  })

  it('allows an http issuer', () => {
    const { config } = load({ dev: true, env: { URLS_SELF_ISSUER: 'http://localhost:4444/' } })
    expect(config.urls.self.issuer).toBe('http://localhost:4444/')
  })

  it('keeps a configured system secret and warns about nothing', () => {
    const { config, warnings } = load({ dev: true, env: { SECRETS_SYSTEM: SECRET } })
    expect(config.secrets.system).toEqual([SECRET])
    expect(warnings).toEqual([])
  })
})

describe('outside dev mode', () => {
  it('requires the issuer, naming URLS_SELF_ISSUER', () => {
    const { URLS_SELF_ISSUER: _, ...env } = PROD_ENV
    expect(failure(() => load({ env }))).toContain('URLS_SELF_ISSUER')
  })

  it('requires an https issuer', () => {
    const message = failure(() => load({ env: { ...PROD_ENV, URLS_SELF_ISSUER: 'http://auth.example.com/' } }))
    expect(message).toBe('invalid configuration: urls.self.issuer = "http://auth.example.com/" must use https (or run with --dev)')
  })

  it('requires a DSN, naming DSN', () => {
    const { DSN: _, ...env } = PROD_ENV
    expect(failure(() => load({ env }))).toMatch(/\bDSN\b/)
  })

  it('requires secrets.system, naming SECRETS_SYSTEM', () => {
    const { SECRETS_SYSTEM: _, ...env } = PROD_ENV
    expect(failure(() => load({ env }))).toContain('SECRETS_SYSTEM')
  })
})

describe('config files', () => {
  it('reads YAML', () => {
    const name = file(
      '.yaml',
      [
        'dsn: memory',
        'serve:',
        '  public:',
        '    port: 9000',
        '    cors:',
        '      enabled: true',
        '      allowed_origins: [https://app.example.com]',
        'urls:',
        '  self:',
        '    issuer: https://id.example.com/',
        'secrets:',
        `  system: [${SECRET}]`,
        'ttl:',
        '  access_token: 15m',
        '  refresh_token: -1',
        'log:',
        '  level: debug',
      ].join('\n'),
    )
    const { config } = load({ file: name })
    expect(config.dsn).toBe('memory')
    expect(config.serve.public.port).toBe(9000)
    expect(config.serve.public.cors.enabled).toBe(true)
    expect(config.serve.public.cors.allowed_origins).toEqual(['https://app.example.com'])
    expect(config.urls.self.issuer).toBe('https://id.example.com/')
    expect(config.ttl.access_token).toBe(15 * 60_000)
    expect(config.ttl.refresh_token).toBe(-1)
    expect(config.log.level).toBe('debug')
  })

  it('reads JSON (and .yml)', () => {
    const json = file('.json', JSON.stringify({ dsn: 'memory', urls: { self: { issuer: 'https://id.example.com/' } }, secrets: { system: [SECRET] }, ttl: { refresh_token: '-1' } }))
    expect(load({ file: json }).config.ttl.refresh_token).toBe(-1)
    const yml = file('.yml', 'log:\n  format: json\n')
    expect(load({ file: yml, env: PROD_ENV }).config.log.format).toBe('json')
  })

  it('accepts an empty file and keys left empty', () => {
    expect(load({ file: file('.yaml', ''), env: PROD_ENV }).config.log.level).toBe('info')
    expect(load({ file: file('.yaml', 'log:\n  level:\n'), env: PROD_ENV }).config.log.level).toBe('info')
  })

  it('loses to the environment', () => {
    const name = file('.yaml', 'serve:\n  public:\n    port: 9000\nlog:\n  level: debug\n')
    const { config } = load({ file: name, env: { ...PROD_ENV, SERVE_PUBLIC_PORT: '9001' } })
    expect(config.serve.public.port).toBe(9001)
    expect(config.log.level).toBe('debug')
  })

  it('accepts Hydra keys that have no effect here with a notice saying why', () => {
    const { warnings, notices, config } = load({ file: file('.yaml', 'version: v2.2.0\noauth2:\n  session:\n    encrypt_at_rest: true\n'), env: PROD_ENV })
    expect(warnings).toEqual([])
    expect(notices).toEqual([expect.stringMatching(/^configuration key version = v2\.2\.0 only records which Hydra/)])
    expect(config.oauth2.session.encrypt_at_rest).toBe(true)
  })

  it.each([
    ['a missing file', () => load({ file: 'nope.yaml' }), /cannot read config file .*nope\.yaml: no such file/],
    ['an unknown extension', () => load({ file: file('.toml', 'a = 1') }), /unsupported extension "\.toml"/],
    ['broken YAML', () => load({ file: file('.yaml', 'a: [1,\n b: c: d') }), /is not valid YAML: .*line 2/],
    ['broken JSON', () => load({ file: file('.json', '{"dsn": ') }), /is not valid JSON/],
    ['a list at the top', () => load({ file: file('.yaml', '- a\n- b\n') }), /must hold a mapping of keys/],
    ['an unknown top-level key', () => load({ file: file('.yaml', 'dns: memory\n') }), /unknown key dns \(allowed at the top level: dev, dsn, log, serve/],
    ['an unknown nested key', () => load({ file: file('.yaml', 'serve:\n  public:\n    prot: 1\n') }), /unknown key serve\.public\.prot \(allowed under serve\.public: host, port,/],
    ['a value where a section belongs', () => load({ file: file('.yaml', 'ttl: 1h\n') }), /ttl must be a section of keys, not a string/],
    ['a string port', () => load({ file: file('.yaml', 'serve:\n  public:\n    port: "4444"\n') }), /serve\.public\.port = "4444" must be an integer between 0 and 65535/],
  ])('rejects %s in one line', (_, run, expected) => {
    expect(failure(run)).toMatch(expected)
  })
})

describe('environment variables', () => {
  // [variable, value, where it lands, expected]
  const cases: Array<[string, string, (c: Readonly<Config>) => unknown, unknown]> = [
    ['DSN', 'mysql://u:p@tcp(db:3306)/hydra', (c) => c.dsn, 'mysql://u:p@tcp(db:3306)/hydra'],
    ['SERVE_PUBLIC_PORT', '5444', (c) => c.serve.public.port, 5444],
    ['SERVE_ADMIN_PORT', '5445', (c) => c.serve.admin.port, 5445],
    ['SERVE_PUBLIC_HOST', '127.0.0.1', (c) => c.serve.public.host, '127.0.0.1'],
    ['URLS_SELF_ISSUER', 'https://id.example.org/', (c) => c.urls.self.issuer, 'https://id.example.org/'],
    ['URLS_LOGIN', 'https://ui.example.org/login', (c) => c.urls.login, 'https://ui.example.org/login'],
    ['URLS_CONSENT', 'https://ui.example.org/consent', (c) => c.urls.consent, 'https://ui.example.org/consent'],
    ['URLS_LOGOUT', 'https://ui.example.org/logout', (c) => c.urls.logout, 'https://ui.example.org/logout'],
    ['URLS_ERROR', 'https://ui.example.org/error', (c) => c.urls.error, 'https://ui.example.org/error'],
    ['URLS_POST_LOGOUT_REDIRECT', 'https://ui.example.org/bye', (c) => c.urls.post_logout_redirect, 'https://ui.example.org/bye'],
    ['SECRETS_SYSTEM', 'first-secret-0123456, second-secret-012345', (c) => c.secrets.system, ['first-secret-0123456', 'second-secret-012345']],
    ['SECRETS_COOKIE', 'cookie-secret-0123456', (c) => c.secrets.cookie, ['cookie-secret-0123456']],
    ['TTL_ACCESS_TOKEN', '2h', (c) => c.ttl.access_token, 7_200_000],
    ['TTL_REFRESH_TOKEN', '-1', (c) => c.ttl.refresh_token, -1],
    ['TTL_ID_TOKEN', '30m', (c) => c.ttl.id_token, 1_800_000],
    ['TTL_AUTH_CODE', '5m', (c) => c.ttl.auth_code, 300_000],
    ['TTL_LOGIN_CONSENT_REQUEST', '1h', (c) => c.ttl.login_consent_request, 3_600_000],
    ['STRATEGIES_ACCESS_TOKEN', 'jwt', (c) => c.strategies.access_token, 'jwt'],
    ['LOG_LEVEL', 'trace', (c) => c.log.level, 'trace'],
    ['LOG_FORMAT', 'json_pretty', (c) => c.log.format, 'json_pretty'],
    ['OAUTH2_HASHERS_PBKDF2_ITERATIONS', '100000', (c) => c.oauth2.hashers.pbkdf2.iterations, 100_000],
    ['OAUTH2_PKCE_ENFORCED', '1', (c) => c.oauth2.pkce.enforced, true],
    ['SERVE_PUBLIC_CORS_ALLOWED_ORIGINS', '["https://a.example.com","https://*.b.example.com"]', (c) => c.serve.public.cors.allowed_origins, ['https://a.example.com', 'https://*.b.example.com']],
  ]

  it.each(cases)('%s=%j is read', (name, value, pick, expected) => {
    expect(pick(load({ env: { ...PROD_ENV, [name]: value } }).config)).toEqual(expected)
  })

  it('names every key by its path joined with _, without collisions', () => {
    expect(envNameOf('urls.self.issuer')).toBe('URLS_SELF_ISSUER')
    expect(envNameOf('urls.post_logout_redirect')).toBe('URLS_POST_LOGOUT_REDIRECT')
    expect(envNameOf('oauth2.hashers.pbkdf2.iterations')).toBe('OAUTH2_HASHERS_PBKDF2_ITERATIONS')
    expect(KEY_BY_ENV.size).toBe(CONFIG_KEYS.length)
  })

  it('ignores unknown and empty variables', () => {
    const { config } = load({ env: { ...PROD_ENV, SERVE_PUBLIC_PROT: '1', LOG_LEVEL: '', PATH: '/bin' } })
    expect(config.log.level).toBe('info')
  })

  it('reads booleans as true/false/1/0', () => {
    expect(load({ env: { ...PROD_ENV, OAUTH2_PKCE_ENFORCED: 'TRUE' } }).config.oauth2.pkce.enforced).toBe(true)
    expect(load({ env: { ...PROD_ENV, OAUTH2_MIRROR_TOP_LEVEL_CLAIMS: '0' } }).config.oauth2.mirror_top_level_claims).toBe(false)
    expect(failure(() => load({ env: { ...PROD_ENV, OAUTH2_PKCE_ENFORCED: 'yes' } }))).toBe(
      'invalid configuration: oauth2.pkce.enforced = "yes" must be true or false (from OAUTH2_PKCE_ENFORCED)',
    )
  })

  it('reads serve.workers as a count or auto, from the file, the environment or --workers', () => {
    expect(load({ env: PROD_ENV }).config.serve.workers).toBe(1)
    expect(load({ env: { ...PROD_ENV, SERVE_WORKERS: 'auto' } }).config.serve.workers).toBe('auto')
    expect(load({ env: { ...PROD_ENV, SERVE_WORKERS: '4' } }).config.serve.workers).toBe(4)
    expect(load({ env: PROD_ENV, file: file('.yaml', 'serve:\n  workers: 3\n') }).config.serve.workers).toBe(3)
    expect(load({ env: { ...PROD_ENV, SERVE_WORKERS: '4' }, overrides: { 'serve.workers': 'auto' } }).config.serve.workers).toBe('auto')
    expect(failure(() => load({ env: { ...PROD_ENV, SERVE_WORKERS: '0' } }))).toBe(
      'invalid configuration: serve.workers = 0 must be auto or an integer between 1 and 1024 (from SERVE_WORKERS)',
    )
    expect(failure(() => load({ env: { ...PROD_ENV, SERVE_WORKERS: 'many' } }))).toBe(
      'invalid configuration: serve.workers = "many" must be auto or an integer between 1 and 1024 (from SERVE_WORKERS)',
    )
  })

  it('lose to overrides, which are typed or text', () => {
    const env = { ...PROD_ENV, SERVE_PUBLIC_PORT: '5000', LOG_LEVEL: 'debug' }
    const { config } = load({ env, overrides: { 'serve.public.port': 6000, 'log.level': 'warn', 'serve.admin.port': '6001', 'dsn': undefined } })
    expect(config.serve.public.port).toBe(6000)
    expect(config.serve.admin.port).toBe(6001)
    expect(config.log.level).toBe('warn')
    expect(config.dsn).toBe(PROD_ENV.DSN)
    expect(failure(() => load({ env, overrides: { 'serve.public.prot': 1 } }))).toContain('unknown key serve.public.prot')
  })
})

describe('validation errors', () => {
  it.each([
    ['TTL_ACCESS_TOKEN', '1 hour', 'invalid configuration: ttl.access_token = "1 hour" is not a duration (expected e.g. 1h, 30m, 1h5m1s) (from TTL_ACCESS_TOKEN)'],
    ['LOG_LEVEL', 'loud', 'invalid configuration: log.level = "loud" must be one of panic, fatal, error, warn, info, debug, trace (from LOG_LEVEL)'],
    ['LOG_FORMAT', 'xml', 'invalid configuration: log.format = "xml" must be one of json, json_pretty, text (from LOG_FORMAT)'],
    ['SERVE_PUBLIC_PORT', '70000', 'invalid configuration: serve.public.port = 70000 must be an integer between 0 and 65535 (from SERVE_PUBLIC_PORT)'],
    ['SERVE_ADMIN_PORT', '44a5', 'invalid configuration: serve.admin.port = "44a5" must be an integer between 0 and 65535 (from SERVE_ADMIN_PORT)'],
    ['OAUTH2_HASHERS_BCRYPT_COST', '3', 'invalid configuration: oauth2.hashers.bcrypt.cost = 3 must be an integer between 4 and 31 (from OAUTH2_HASHERS_BCRYPT_COST)'],
    ['OAUTH2_HASHERS_PBKDF2_ITERATIONS', '1e5', 'invalid configuration: oauth2.hashers.pbkdf2.iterations = "1e5" must be an integer of at least 1 (from OAUTH2_HASHERS_PBKDF2_ITERATIONS)'],
    ['TTL_REFRESH_TOKEN', '-2', 'invalid configuration: ttl.refresh_token = "-2" is not a duration or -1 (expected e.g. 1h, 30m, 1h5m1s) (from TTL_REFRESH_TOKEN)'],
    ['TTL_AUTH_CODE', '10', 'invalid configuration: ttl.auth_code = "10" is not a duration (expected e.g. 1h, 30m, 1h5m1s) (from TTL_AUTH_CODE)'],
    ['STRATEGIES_SCOPE', 'fuzzy', 'invalid configuration: strategies.scope = "fuzzy" must be one of exact, wildcard (from STRATEGIES_SCOPE)'],
    ['URLS_SELF_ISSUER', 'ftp://auth.example.com/', 'invalid configuration: urls.self.issuer = "ftp://auth.example.com/" is not an absolute http(s) URL (expected e.g. https://auth.example.com/) (from URLS_SELF_ISSUER)'],
    ['URLS_LOGIN', 'login page', 'invalid configuration: urls.login = "login page" is not an http(s) URL or an absolute path (expected e.g. https://login.example.com/login or /ui/login) (from URLS_LOGIN)'],
    ['OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES', 'public,private', 'invalid configuration: oidc.subject_identifiers.supported_types[1] = "private" must be one of public, pairwise (from OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES)'],
    ['SERVE_PUBLIC_CORS_ALLOWED_ORIGINS', 'https://*.*.example.com', 'invalid configuration: serve.public.cors.allowed_origins[0] = "https://*.*.example.com" may contain at most one * wildcard (from SERVE_PUBLIC_CORS_ALLOWED_ORIGINS)'],
    ['SERVE_PUBLIC_CORS_ALLOWED_METHODS', 'GET,FETCH', 'invalid configuration: serve.public.cors.allowed_methods[1] = "FETCH" must be one of POST, GET, PUT, PATCH, DELETE, CONNECT, HEAD, OPTIONS, TRACE (from SERVE_PUBLIC_CORS_ALLOWED_METHODS)'],
  ])('%s=%j', (name, value, expected) => {
    expect(failure(() => load({ env: { ...PROD_ENV, [name]: value } }))).toBe(expected)
  })

  it('rejects wrong types from a file', () => {
    expect(failure(() => load({ file: file('.yaml', 'log:\n  leak_sensitive_values: yes\n'), env: PROD_ENV }))).toBe(
      'invalid configuration: log.leak_sensitive_values = "yes" must be true or false',
    )
    expect(failure(() => load({ file: file('.yaml', 'ttl:\n  access_token: 3600\n'), env: PROD_ENV }))).toBe(
      'invalid configuration: ttl.access_token = 3600 is not a duration (expected e.g. 1h, 30m, 1h5m1s)',
    )
    expect(failure(() => load({ file: file('.yaml', 'oauth2:\n  allowed_top_level_claims: email\n'), env: PROD_ENV }))).toBe(
      'invalid configuration: oauth2.allowed_top_level_claims = "email" must be a list of strings',
    )
  })

  it('shortens long values to keep the line readable', () => {
    const message = failure(() => load({ env: { ...PROD_ENV, LOG_LEVEL: 'x'.repeat(500) } }))
    expect(message.length).toBeLessThan(250)
  })
})

describe('DSN', () => {
  it.each(['memory', 'sqlite:///var/lib/orthrus.sqlite?_fk=true', 'postgres://u:p@db/hydra', 'postgresql://db/hydra', 'mysql://u:p@tcp(db:3306)/hydra', 'cockroach://root@db:26257/defaultdb'])(
    'accepts %s',
    (dsn) => {
      expect(load({ env: { ...PROD_ENV, DSN: dsn } }).config.dsn).toBe(dsn)
    },
  )

  it('rejects other schemes, listing the allowed ones and masking the password', () => {
    const message = failure(() => load({ env: { ...PROD_ENV, DSN: 'oracle://scott:hunter2@db/orcl' } }))
    expect(message).toMatch(/^invalid configuration: dsn = "oracle:\/\/scott:\*\*\*@db\/orcl" must be memory or start with sqlite:\/\/, .*postgres:\/\/, .*mysql:\/\//)
    expect(message).toContain('(from DSN)')
    expect(message).not.toContain('hunter2')
  })
})

describe('secrets', () => {
  it('needs 16 characters per entry and never echoes one', () => {
    const short = failure(() => load({ env: { ...PROD_ENV, SECRETS_SYSTEM: 'hunter2' } }))
    expect(short).toBe('invalid configuration: secrets.system[0] is 7 characters, needs at least 16 (from SECRETS_SYSTEM)')
    const second = failure(() => load({ env: { ...PROD_ENV, SECRETS_SYSTEM: `${SECRET},hunter2` } }))
    expect(second).toContain('secrets.system[1] is 7 characters')
    expect(second).not.toContain(SECRET)
    const cookie = failure(() => load({ env: { ...PROD_ENV, SECRETS_COOKIE: 'hunter2' } }))
    expect(cookie).toContain('secrets.cookie[0] is 7 characters, needs at least 16')
    expect(failure(() => load({ dev: true, env: { SECRETS_PAGINATION: 'hunter2' } }))).toContain('secrets.pagination[0]')
  })

  it('never echoes secrets in type errors either', () => {
    const plain = failure(() => load({ file: file('.yaml', 'secrets:\n  system: hunter2-but-long-enough\n'), env: { DSN: 'memory' }, dev: true }))
    expect(plain).toBe('invalid configuration: secrets.system must be a list of strings')
    const json = failure(() => load({ env: { ...PROD_ENV, SECRETS_SYSTEM: '["hunter2-but-long-enough"' } }))
    expect(json).toBe('invalid configuration: secrets.system is not a valid JSON array (from SECRETS_SYSTEM)')
    const section = failure(() => load({ file: file('.yaml', 'secrets: hunter2-but-long-enough\n'), dev: true }))
    expect(section).not.toContain('hunter2')
  })

  it('reads a JSON array, keeping commas inside secrets', () => {
    const { config } = load({ env: { ...PROD_ENV, SECRETS_SYSTEM: '["a,secret,with,commas", "second-secret-0123"]' } })
    expect(config.secrets.system).toEqual(['a,secret,with,commas', 'second-secret-0123'])
  })

  it('defaults cookie and pagination secrets to the system secrets, unless set', () => {
    const { config } = load({ env: { ...PROD_ENV, SECRETS_COOKIE: 'cookie-secret-0123456', SECRETS_PAGINATION: '[]' } })
    expect(config.secrets.cookie).toEqual(['cookie-secret-0123456'])
    expect(config.secrets.pagination).toEqual([SECRET])
  })
})

describe('TLS', () => {
  it('lets listeners fall back to serve.tls', () => {
    const name = file('.yaml', 'serve:\n  tls:\n    enabled: true\n    cert:\n      path: /certs/tls.crt\n    key:\n      path: /certs/tls.key\n  admin:\n    tls:\n      cert:\n        base64: QUJD\n')
    const { config } = load({ file: name, env: PROD_ENV })
    expect(config.serve.tls).toEqual({ enabled: true, cert: { path: '/certs/tls.crt' }, key: { path: '/certs/tls.key' } })
    expect(config.serve.public.tls).toEqual(config.serve.tls)
    expect(config.serve.admin.tls).toEqual({ enabled: true, cert: { base64: 'QUJD' }, key: { path: '/certs/tls.key' } })
  })

  it('rejects a certificate given both as path and base64', () => {
    const name = file('.yaml', 'serve:\n  public:\n    tls:\n      cert:\n        path: /a\n        base64: QUJD\n')
    expect(failure(() => load({ file: name, env: PROD_ENV }))).toBe('invalid configuration: serve.public.tls.cert sets both path and base64 (set one)')
  })
})

describe('Hydra rules between keys', () => {
  it('requires a pairwise salt of 8 characters, without echoing it', () => {
    const env = { ...PROD_ENV, OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise', OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'salty' }
    const message = failure(() => load({ env }))
    expect(message).toBe('invalid configuration: oidc.subject_identifiers.pairwise.salt is 5 characters, needs at least 8 when pairwise subject identifiers are enabled')
    const ok = load({ env: { ...env, OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'salty-enough' } }).config
    expect(ok.oidc.subject_identifiers).toEqual({ supported_types: ['public', 'pairwise'], pairwise: { salt: 'salty-enough' } })
  })

  it('disables pairwise with JWT access tokens, with a warning', () => {
    const env = { ...PROD_ENV, OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'pairwise', STRATEGIES_ACCESS_TOKEN: 'jwt' }
    const { config, warnings } = load({ env })
    expect(config.oidc.subject_identifiers.supported_types).toEqual(['public'])
    expect(warnings).toHaveLength(1)
  })

  it('caps the authentication session at 180 days and the grace period at 5 minutes', () => {
    const { config, warnings } = load({ env: { ...PROD_ENV, TTL_AUTHENTICATION_SESSION: '5000h', OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD: '10m' } })
    expect(config.ttl.authentication_session).toBe(180 * 24 * 3_600_000)
    expect(config.oauth2.grant.refresh_token.rotation_grace_period).toBe(5 * 60_000)
    expect(warnings).toEqual([
      'ttl.authentication_session = 5000h0m0s is longer than the maximum of 4320h0m0s: capped',
      'oauth2.grant.refresh_token.rotation_grace_period = 10m0s is longer than the maximum of 5m0s: capped',
    ])
    const reuse = load({ env: { ...PROD_ENV, OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD: '10m', OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_REUSE_COUNT: '2' } })
    expect(reuse.config.oauth2.grant.refresh_token.rotation_grace_period).toBe(10 * 60_000)
  })
})

describe('tracing section', () => {
  it('is absent unless configured, and carries Hydra-named keys from env and file', () => {
    expect(load({ env: PROD_ENV }).config.tracing).toBeUndefined()
    const fromEnv = load({
      env: { ...PROD_ENV, TRACING_PROVIDER: 'otel', TRACING_SERVICE_NAME: 'auth', TRACING_PROVIDERS_OTLP_SERVER_URL: '127.0.0.1:4318', TRACING_PROVIDERS_OTLP_INSECURE: 'true' },
    }).config
    expect(fromEnv.tracing).toEqual({ provider: 'otel', service_name: 'auth', providers: { otlp: { server_url: '127.0.0.1:4318', insecure: true } } })
    const file = join(dir, 'tracing.yaml')
    writeFileSync(file, 'tracing:\n  provider: otel\n  providers:\n    otlp:\n      server_url: collector:4318\n')
    expect(load({ env: PROD_ENV, file }).config.tracing?.providers?.otlp?.server_url).toBe('collector:4318')
  })
})
