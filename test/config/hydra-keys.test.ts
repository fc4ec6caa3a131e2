// Configuration parity with Hydra: every leaf key of Hydra's schema (the project's own copy in
// test/fixtures) is either implemented or accepted with a notice that says why it has no effect,
// in a file and as an environment variable alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { ignoredKeyNotice } from '../../src/config/notices.js'
import { IGNORED_HYDRA_KEYS, KEY_BY_ENV, KEY_BY_PATH, envNameOf } from '../../src/config/schema.js'
import { ConfigError } from '../../src/config/types.js'
import { discoveryDocument } from '../../src/oidc/discovery.js'
import { HYDRA_LEAF_KEYS } from '../fixtures/hydra-config-keys.js'

const PROD_ENV = { DSN: 'memory', URLS_SELF_ISSUER: 'https://auth.example.com/', SECRETS_SYSTEM: 'system-secret-0123456789' }
const dir = mkdtempSync(join(tmpdir(), 'orthrus-hydra-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("Hydra's configuration schema", () => {
  it('has every leaf key implemented or on the notice list', () => {
    const neither = HYDRA_LEAF_KEYS.filter((k) => !KEY_BY_PATH.has(k) && !IGNORED_HYDRA_KEYS.includes(k))
    expect(neither).toEqual([])
  })

  it('puts no key on the notice list that is implemented, and none that Hydra does not have', () => {
    expect(IGNORED_HYDRA_KEYS.filter((k) => KEY_BY_PATH.has(k))).toEqual([])
    expect(IGNORED_HYDRA_KEYS.filter((k) => !HYDRA_LEAF_KEYS.includes(k))).toEqual([])
  })

  it("reads every implemented key from Hydra's environment variable name", () => {
    const missing = HYDRA_LEAF_KEYS.filter((k) => KEY_BY_PATH.has(k) && KEY_BY_ENV.get(envNameOf(k))?.path !== k)
    expect(missing).toEqual([])
  })
})

describe('keys with no effect', () => {
  const load = (yaml: string, env: Record<string, string> = {}) => {
    const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, yaml)
    return loadConfig({ file, cwd: dir, env: { ...PROD_ENV, ...env } })
  }

  it('get one notice each, from a file', () => {
    const { notices, warnings } = load('sqa:\n  opt_out: true\ncgroups:\n  v1:\n    auto_max_procs_enabled: true\nversion: v2.3.0\n')
    expect(warnings).toEqual([])
    expect(notices).toEqual([
      expect.stringMatching(/^configuration key sqa\.opt_out has no effect in Orthrus: Orthrus sends no usage telemetry/),
      expect.stringMatching(/^configuration key cgroups\.v1\.auto_max_procs_enabled has no effect in Orthrus: it sizes Go's GOMAXPROCS/),
      expect.stringMatching(/^configuration key version = v2\.3\.0 only records which Hydra the file was written for/),
    ])
    for (const n of notices) expect(n).not.toMatch(/[\r\n]/)
  })

  it('get the same notice from the environment, naming the variable', () => {
    const { notices } = load('', { SQA_OPT_OUT: 'true', CGROUPS_V1_AUTO_MAX_PROCS_ENABLED: 'true', VERSION: 'v2.3.0' })
    expect(notices).toEqual([
      expect.stringMatching(/^configuration key version = v2\.3\.0 .*\(from VERSION\)$/),
      expect.stringMatching(/^configuration key sqa\.opt_out has no effect .*\(from SQA_OPT_OUT\)$/),
      expect.stringMatching(/^configuration key cgroups\.v1\.auto_max_procs_enabled has no effect .*\(from CGROUPS_V1_AUTO_MAX_PROCS_ENABLED\)$/),
    ])
    // Every ignored key has the environment variable Hydra reads.
    for (const key of IGNORED_HYDRA_KEYS) {
      expect(load('', { [envNameOf(key)]: key === 'version' ? 'v2.0.0' : 'true' }).notices).toHaveLength(1)
    }
  })

  it('check version as Hydra does: a v-prefixed SemVer, and say when it is not a 2.x schema', () => {
    expect(() => load('version: 2.3.0\n')).toThrow(ConfigError)
    expect(() => load('version: 2.3.0\n')).toThrow(/version = "2\.3\.0" is not a version such as v2\.3\.0/)
    expect(() => load('', { VERSION: 'latest' })).toThrow(/\(from VERSION\)/)
    expect(load('version: v1.11.10\n').notices).toEqual([expect.stringMatching(/written for Hydra v1\.11\.10, Orthrus reads Hydra 2\.x's configuration keys/)])
    expect(ignoredKeyNotice('version', 'v2.0.0-rc.1+build.7')).toMatch(/only records/)
  })

  it('accept any key in the sections whose schema is open (sqa, feature_flags), with a notice', () => {
    const { notices, config } = load('sqa:\n  endpoint: x\nfeature_flags:\n  some_future_flag: true\n  legacy_allow_insecure_origins: true\n')
    expect(notices).toEqual([
      expect.stringMatching(/^configuration key sqa\.endpoint is not a setting Orthrus knows/),
      expect.stringMatching(/^configuration key feature_flags\.some_future_flag is not a setting Orthrus knows/),
    ])
    expect(config.feature_flags.legacy_allow_insecure_origins).toBe(true)
    // Closed sections still refuse a misspelt key.
    expect(() => load('cgroups:\n  v2: {}\n')).toThrow(/unknown key cgroups\.v2 \(allowed under cgroups: v1\)/)
  })
})

describe('serve.*.base_url', () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { ...PROD_ENV, ...env } }).config

  it('names the listeners where urls.self.public / .admin are not set, as the URLs the server uses for itself', () => {
    const config = load({ SERVE_PUBLIC_BASE_URL: 'https://gateway.example.com/hydra/', SERVE_ADMIN_BASE_URL: 'https://admin.internal:8443/' })
    expect(config.urls.self.public).toBe('https://gateway.example.com/hydra/')
    expect(config.urls.self.admin).toBe('https://admin.internal:8443/')
    // Everything named under the public URL follows: discovery and the fallback pages.
    expect(discoveryDocument(config).token_endpoint).toBe('https://gateway.example.com/hydra/oauth2/token')
    expect(config.urls.login).toBe('https://gateway.example.com/hydra/oauth2/fallbacks/login')
    // The issuer stays as configured.
    expect(config.urls.self.issuer).toBe('https://auth.example.com/')
  })

  it('loses to urls.self.*, and a path is taken relative to the issuer (public) or the listener (admin)', () => {
    const config = load({ SERVE_PUBLIC_BASE_URL: 'https://gw.example.com/', URLS_SELF_PUBLIC: 'https://public.example.com/', SERVE_ADMIN_BASE_URL: '/admin-base/' })
    expect(config.urls.self.public).toBe('https://public.example.com/')
    expect(config.urls.self.admin).toBe('https://127.0.0.1:4445/admin-base/')
    expect(load({ SERVE_PUBLIC_BASE_URL: '/sub/' }).urls.self.public).toBe('https://auth.example.com/sub/')
    expect(load({}).urls.self.public).toBe('https://auth.example.com/')
  })
})

describe('urls.identity_provider', () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { ...PROD_ENV, ...env } })

  it('takes headers as an object of strings, never echoing their values', () => {
    const { config } = load({ URLS_IDENTITY_PROVIDER_URL: 'https://kratos.example.com/admin', URLS_IDENTITY_PROVIDER_HEADERS: '{"Authorization":"Bearer s3cr3t"}' })
    expect(config.urls.identity_provider).toEqual({ url: 'https://kratos.example.com/admin', headers: { Authorization: 'Bearer s3cr3t' } })
    expect(() => load({ URLS_IDENTITY_PROVIDER_HEADERS: '{"Bad Name":"x"}' })).toThrow(/urls\.identity_provider\.headers\.Bad Name: "Bad Name" is not a valid header/)
    expect(() => load({ URLS_IDENTITY_PROVIDER_HEADERS: '{"Authorization":"Bearer s3cr3t\\n"}' })).toThrow(/^(?!.*s3cr3t).*may not contain control characters/)
    expect(() => load({ URLS_IDENTITY_PROVIDER_HEADERS: 'Bearer s3cr3t' })).toThrow(/^(?!.*s3cr3t).*is not a valid JSON object/)
  })

  it('accepts publicUrl with a notice: only a password grant Orthrus does not offer uses it', () => {
    const { notices } = load({ URLS_IDENTITY_PROVIDER_PUBLICURL: 'https://kratos.example.com/public' })
    expect(notices).toEqual([expect.stringMatching(/^configuration key urls\.identity_provider\.publicUrl has no effect in Orthrus: only Hydra's resource owner password grant/)])
  })
})
