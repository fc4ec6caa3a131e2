// Loads the configuration the way Hydra does: schema defaults, then the config file, then
// environment variables (`urls.self.issuer` → URLS_SELF_ISSUER), then command-line overrides.
// Every value is validated against src/config/schema.ts; any problem is a ConfigError with a
// one-line message naming the key, the value (never a secret) and what is allowed.

import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { build } from './derive.js'
import { parseDuration } from './duration.js'
import { ignoredKeyNotice, openSectionNotice } from './notices.js'
import { CONFIG_KEYS, IGNORED_HYDRA_KEYS, KEY_BY_ENV, KEY_BY_PATH, OPEN_SECTIONS, SECTIONS, envNameOf } from './schema.js'
import type { KeySpec } from './schema.js'
import { ConfigError } from './types.js'
import type { Config } from './types.js'

export { NO_SECRET_WARNING, devSecretCreated, devSecretReused } from './derive.js'

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
  /**
   * --dev without secrets.system: keep the generated secret in `<database>.secret` beside a SQLite
   * file and reuse it on the next start (src/config/dev-secret.ts). Only `serve` asks for this.
   */
  keepDevSecret?: boolean
}

const DURATION_HINT = '(expected e.g. 1h, 30m, 1h5m1s)'

/** A value before validation, with where it came from (an env name or `a command-line flag`). */
interface RawValue {
  value: unknown
  from?: string
}

export interface LoadedConfig {
  config: Readonly<Config>
  /** Settings that probably do not do what the operator wants (logged as warnings). */
  warnings: string[]
  /** Hydra keys given that have no effect here, each with why (logged at info level). */
  notices: string[]
}

export function loadConfig(opts: LoadConfigOptions): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd()
  const warnings: string[] = []
  const notices: string[] = []
  const raw = new Map<string, RawValue>()
  if (opts.file !== undefined) readFile(resolve(cwd, opts.file), raw, notices)
  readEnv(opts.env ?? process.env, raw, notices)
  readOverrides(opts.overrides ?? {}, raw)
  if (opts.dev) raw.set('dev', { value: true, from: '--dev' })

  const values = new Map<string, unknown>()
  for (const spec of CONFIG_KEYS) {
    const given = raw.get(spec.path)
    const input = given ? given.value : spec.default
    if (input !== undefined) values.set(spec.path, validate(spec, input, given?.from))
  }
  const config = build(values, cwd, warnings, { keepDevSecret: opts.keepDevSecret === true }, notices)
  return { config: deepFreeze(config), warnings, notices }
}

// ---- sources --------------------------------------------------------------------------------

function readFile(file: string, raw: Map<string, RawValue>, notices: string[]): void {
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
    // Loaded here, not at start-up: most deployments configure through the environment only.
    doc = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text)
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/:$/, '')
    throw new ConfigError(`config file ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${reason}`)
  }
  if (doc === null || doc === undefined) return // an empty file configures nothing
  if (!isPlainObject(doc)) throw new ConfigError(`config file ${file} must hold a mapping of keys (e.g. "dsn: memory"), not ${kindOf(doc)}`)
  walk(doc, '', raw, notices)
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error'
}

// Hydra's schema sets additionalProperties:false almost everywhere, so a misspelt key is an error.
function walk(node: Record<string, unknown>, prefix: string, raw: Map<string, RawValue>, notices: string[]): void {
  for (const [name, value] of Object.entries(node)) {
    const path = prefix === '' ? name : `${prefix}.${name}`
    if (value === null || value === undefined) {
      continue // `key:` with nothing after it, as YAML templates often leave
    } else if (IGNORED_HYDRA_KEYS.includes(path)) {
      notices.push(ignoredKeyNotice(path, value))
    } else if (KEY_BY_PATH.has(path)) {
      raw.set(path, { value })
    } else if (SECTIONS.has(path)) {
      if (!isPlainObject(value)) throw new ConfigError(`invalid configuration: ${path} must be a section of keys, not ${kindOf(value)}`)
      walk(value, path, raw, notices)
    } else if (OPEN_SECTIONS.includes(prefix)) {
      notices.push(openSectionNotice(path))
    } else {
      const where = prefix === '' ? 'at the top level' : `under ${prefix}`
      throw new ConfigError(`invalid configuration: unknown key ${path} (allowed ${where}: ${childrenOf(prefix).join(', ')})`)
    }
  }
}

function childrenOf(prefix: string): string[] {
  const start = prefix === '' ? '' : `${prefix}.`
  const paths = [...CONFIG_KEYS.map((k) => k.path), ...IGNORED_HYDRA_KEYS]
  const names = paths.filter((p) => p.startsWith(start)).map((p) => p.slice(start.length).split('.')[0] ?? '')
  return [...new Set(names)]
}

// Unknown variables are ignored: the environment holds much more than our configuration. Empty
// values count as unset (`FOO=` in compose files and .env templates).
function readEnv(env: NodeJS.ProcessEnv, raw: Map<string, RawValue>, notices: string[]): void {
  for (const [name, spec] of KEY_BY_ENV) {
    const text = env[name]
    if (text === undefined || text === '') continue
    raw.set(spec.path, { value: fromText(spec, text, name), from: name })
  }
  // Hydra reads these from the environment too: they get the same notice as in a file.
  for (const path of IGNORED_HYDRA_KEYS) {
    const name = envNameOf(path)
    const text = env[name]
    if (text !== undefined && text !== '') notices.push(ignoredKeyNotice(path, text, name))
  }
  // A string-or-object key's leaves have variables too (OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE);
  // they add to (or override) what the file or the key's own variable gave.
  for (const spec of CONFIG_KEYS) {
    if (spec.kind !== 'string-or-object') continue
    for (const field of spec.fields ?? []) {
      const name = `${envNameOf(spec.path)}_${envNameOf(field.path)}`
      const text = env[name]
      if (text === undefined || text === '') continue
      const base = raw.get(spec.path)?.value
      const obj: Record<string, unknown> =
        typeof base === 'string' && spec.shorthand !== undefined ? { [spec.shorthand]: base } : isPlainObject(base) ? structuredClone(base) : {}
      setLeaf(obj, field.path, fromText(field, text, name))
      raw.set(spec.path, { value: obj, from: name })
    }
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
    case 'integer-or-auto':
      return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text.trim())) ? Number(text.trim()) : text
    case 'string-map': {
      const trimmed = text.trim()
      try {
        return JSON.parse(trimmed) as unknown
      } catch {
        // Never echoed: the object may hold a secret (an Authorization header).
        throw new ConfigError(`invalid configuration: ${spec.path} is not a valid JSON object (from ${from})`)
      }
    }
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
    case 'string-or-object': {
      const trimmed = text.trim()
      if (!trimmed.startsWith('{')) return text
      try {
        return JSON.parse(trimmed) as unknown
      } catch {
        // Never echoed: the object may hold a secret.
        throw new ConfigError(`invalid configuration: ${spec.path} is not a valid JSON object (from ${from})`)
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
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail('must be a number')
      return value
    }
    case 'string-map':
      return validateMap(spec, value, from)
    case 'integer-or-auto': {
      if (value === 'auto') return value
      const inRange = typeof value === 'number' && Number.isSafeInteger(value) && value >= (spec.min ?? 1) && (spec.max === undefined || value <= spec.max)
      if (!inRange) throw fail(`must be auto or an integer${rangeText(spec)}`)
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
    case 'string-or-object':
      return validateObject(spec, value, from)
  }
}

/** A `string-map` value: an object of strings, keys and values checked; never echoed when secret. */
function validateMap(spec: KeySpec, value: unknown, from: string | undefined): Record<string, string> {
  const suffix = from ? ` (from ${from})` : ''
  if (!isPlainObject(value)) throw new ConfigError(`invalid configuration: ${spec.path} must be an object of strings, not ${kindOf(value)}${suffix}`)
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    const at = `${spec.path}.${key}`
    if (typeof item !== 'string') throw new ConfigError(`invalid configuration: ${at} must be a string${suffix}`)
    const keyProblem = spec.keyCheck?.(key)
    if (keyProblem) throw new ConfigError(`invalid configuration: ${at}: ${JSON.stringify(key)} ${keyProblem}${suffix}`)
    const problem = spec.check?.(item)
    if (problem) throw new ConfigError(`invalid configuration: ${subject(spec, at, item)} ${problem}${suffix}`)
    out[key] = item
  }
  return out
}

/** A `string-or-object` value: each leaf validated by its field spec, the result nested again. */
function validateObject(spec: KeySpec, value: unknown, from: string | undefined): Record<string, unknown> {
  const suffix = from ? ` (from ${from})` : ''
  const fields = spec.fields ?? []
  const obj = typeof value === 'string' && spec.shorthand !== undefined ? { [spec.shorthand]: value } : value
  // The value itself is never shown: an object may hold a secret.
  if (!isPlainObject(obj)) throw new ConfigError(`invalid configuration: ${spec.path} must be a string or an object, not ${kindOf(value)}${suffix}`)
  const given = new Map<string, unknown>()
  leavesOf(obj, '', given)
  const out: Record<string, unknown> = {}
  for (const [rel, leaf] of given) {
    const field = fields.find((f) => f.path === rel)
    if (!field) {
      throw new ConfigError(`invalid configuration: unknown key ${spec.path}.${rel} (allowed: ${fields.map((f) => f.path).join(', ')})${suffix}`)
    }
    setLeaf(out, rel, validate({ ...field, path: `${spec.path}.${rel}` }, leaf, from))
  }
  for (const rel of spec.required ?? []) {
    const top = rel.split('.')[0] ?? rel
    const enclosingGiven = top === rel || [...given.keys()].some((k) => k.startsWith(`${top}.`))
    if (enclosingGiven && !given.has(rel)) throw new ConfigError(`invalid configuration: ${spec.path}.${rel} is required${suffix}`)
  }
  return out
}

/** Nested plain objects → dotted leaf paths; empty (`null`) leaves are skipped as in the file walk. */
function leavesOf(node: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [name, value] of Object.entries(node)) {
    const path = prefix === '' ? name : `${prefix}.${name}`
    if (value === null || value === undefined) continue
    if (isPlainObject(value)) leavesOf(value, path, out)
    else out.set(path, value)
  }
}

function setLeaf(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = obj
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (!isPlainObject(next)) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts[parts.length - 1] ?? path] = value
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
