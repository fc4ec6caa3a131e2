// In --dev without secrets.system the server still seals keys and sessions and signs token
// handles with a secret. A secret generated afresh on every start could not open what the last
// run stored, so the generated one is kept in a file beside the SQLite database and reused.
// In-memory databases and server databases (PostgreSQL, MySQL) get no file: the former lose
// everything on exit anyway, the latter are shared and must be given SECRETS_SYSTEM.
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { parseDsn } from '../persistence/dsn.js'
import { ConfigError } from './types.js'

/** Where the development secret of a DSN lives: `<database file>.secret`, or undefined when none is kept. */
export function devSecretPath(dsn: string): string | undefined {
  let target
  try {
    target = parseDsn(dsn)
  } catch {
    return undefined // the DSN is reported by whatever opens it
  }
  if (target.dialect !== 'sqlite' || target.filename === ':memory:') return undefined
  return `${target.filename}.secret`
}

export interface DevSecret {
  secret: string
  path: string
  /** true when this start generated the file, false when an earlier start had. */
  created: boolean
}

const MIN_LENGTH = 16

/** Reads the secret kept at `path`, or generates one and writes it there readable by its owner only. */
export function loadOrCreateDevSecret(path: string): DevSecret {
  const existing = read(path)
  if (existing !== undefined) return { secret: existing, path, created: false }
  const secret = randomBytes(24).toString('base64url') // 32 characters
  try {
    // wx: two servers starting at once on the same database must not both write a secret.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = read(path)
      if (raced !== undefined) return { secret: raced, path, created: false }
    }
    throw new ConfigError(`cannot write the development secret to ${path}: ${reason(e)}; set SECRETS_SYSTEM instead`)
  }
  return { secret, path, created: true }
}

function read(path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError(`cannot read the development secret ${path}: ${reason(e)}`)
  }
  const secret = text.trim()
  if (secret.length < MIN_LENGTH) {
    throw new ConfigError(`the development secret ${path} holds ${secret.length} characters, needs at least ${MIN_LENGTH}: delete the file (with the database) or set SECRETS_SYSTEM`)
  }
  // Like ssh with a private key: a secret others can read is refused rather than silently used.
  // (Windows has no such mode bits.)
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new ConfigError(`the development secret ${path} is readable by other users: run chmod 600 ${path}`)
  }
  return secret
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException
  if (err.code === 'ENOENT') return 'its directory does not exist'
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied'
  return err.message
}
