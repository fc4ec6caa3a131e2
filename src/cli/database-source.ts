// Where the commands that work on the database directly (migrate, janitor, secrets) find it: a
// DSN argument, -e/--read-from-env (the DSN variable), or -c/--config (the file's `dsn`).
import { readFileSync } from 'node:fs'
import { yaml } from './output.js'
import { fail } from './fail.js'

export interface DatabaseSourceOptions {
  readFromEnv?: boolean
  config?: string[]
}

/** The DSN to open: the argument, else the environment (it wins over the file, as for serve), else the config file. */
export function resolveDsn(dsn: string | undefined, opts: DatabaseSourceOptions): string {
  if (dsn && opts.readFromEnv) fail('pass either a DSN argument or -e/--read-from-env, not both')
  if (dsn) return dsn
  const fromEnv = opts.readFromEnv ? process.env.DSN : undefined
  if (fromEnv) return fromEnv
  const file = opts.config?.[0]
  if (file) {
    let doc: unknown
    try {
      doc = yaml().parse(readFileSync(file, 'utf8'))
    } catch (e) {
      fail(`cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const fromFile = typeof doc === 'object' && doc !== null ? (doc as { dsn?: unknown }).dsn : undefined
    if (typeof fromFile === 'string' && fromFile !== '') return fromFile
    fail(`config file ${file} sets no dsn`)
  }
  if (opts.readFromEnv) fail('-e was given but the DSN environment variable is not set')
  fail('no database: pass a DSN argument, or -e to read DSN from the environment, or -c with a config file')
}

/** The one -c file whose other keys the command reads too, if any. */
export function singleConfigFile(opts: DatabaseSourceOptions): string | undefined {
  const files = opts.config ?? []
  if (files.length > 1) fail('only one --config file is supported')
  return files[0]
}
