// --dev without secrets.system: the generated secret is kept beside the SQLite file and reused.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { devSecretCreated, devSecretReused, loadConfig, NO_SECRET_WARNING } from '../../src/config/loader.js'
import { devSecretPath } from '../../src/config/dev-secret.js'
import { ConfigError } from '../../src/config/types.js'

const root = mkdtempSync(join(tmpdir(), 'orthrus-dev-secret-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
const freshDir = (): string => {
  const dir = join(root, `run-${++n}`)
  rmSync(dir, { recursive: true, force: true })
  return mkdtempSync(`${dir}-`)
}
const devStart = (cwd: string, env: Record<string, string> = {}) => loadConfig({ cwd, env, dev: true, keepDevSecret: true })

describe('development secret file', () => {
  it('is generated on the first --dev start beside the default SQLite file, mode 0600, and named once', () => {
    const dir = freshDir()
    const { config, warnings } = devStart(dir)
    const path = join(dir, 'orthrus.sqlite.secret')
    expect(readFileSync(path, 'utf8').trim()).toBe(config.secrets.system[0])
    expect(config.secrets.system[0]).toHaveLength(32)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(warnings).toEqual([devSecretCreated(path)])
    expect(warnings.filter((w) => w.includes(path))).toHaveLength(1)
  })

  it('is reused by the next start, which says so', () => {
    const dir = freshDir()
    const first = devStart(dir).config.secrets.system
    const { config, warnings } = devStart(dir)
    expect(config.secrets.system).toEqual(first)
    expect(config.secrets.cookie).toEqual(first)
    expect(warnings).toEqual([devSecretReused(join(dir, 'orthrus.sqlite.secret'))])
  })

  it('follows a sqlite:// DSN to its file', () => {
    const dir = freshDir()
    const db = join(dir, 'data.db')
    const { warnings } = devStart(dir, { DSN: `sqlite://${db}?_fk=true` })
    expect(existsSync(`${db}.secret`)).toBe(true)
    expect(warnings).toEqual([devSecretCreated(`${db}.secret`)])
  })

  it('is never written for memory or a server database: those keep the throw-away secret', () => {
    for (const dsn of ['memory', 'sqlite://file::memory:?cache=shared', 'postgres://u:p@127.0.0.1:5432/db', 'mysql://u:p@127.0.0.1:3306/db']) {
      const dir = freshDir()
      const { warnings } = devStart(dir, { DSN: dsn })
      expect(warnings).toEqual([NO_SECRET_WARNING])
      expect(devSecretPath(dsn)).toBeUndefined()
    }
  })

  it('is not used when SECRETS_SYSTEM is set, nor by commands that do not ask for it', () => {
    const dir = freshDir()
    const given = devStart(dir, { SECRETS_SYSTEM: 'given-system-secret-0123' })
    expect(given.config.secrets.system).toEqual(['given-system-secret-0123'])
    expect(given.warnings).toEqual([])
    const other = loadConfig({ cwd: dir, env: {}, dev: true })
    expect(other.warnings).toEqual([NO_SECRET_WARNING])
    expect(existsSync(join(dir, 'orthrus.sqlite.secret'))).toBe(false)
  })

  it('refuses a secret file other users can read, or one too short to be a secret', () => {
    const dir = freshDir()
    const path = join(dir, 'orthrus.sqlite.secret')
    writeFileSync(path, 'a-long-enough-development-secret\n', { mode: 0o644 })
    chmodSync(path, 0o644)
    expect(() => devStart(dir)).toThrow(ConfigError)
    expect(() => devStart(dir)).toThrow(`chmod 600 ${path}`)
    writeFileSync(path, 'short\n', { mode: 0o600 })
    chmodSync(path, 0o600)
    expect(() => devStart(dir)).toThrow(/needs at least 16/)
  })

  it('names the missing directory instead of failing later in the database driver', () => {
    const dir = freshDir()
    expect(() => devStart(dir, { DSN: `sqlite://${join(dir, 'missing', 'db.sqlite')}` })).toThrow(/its directory does not exist/)
  })
})
