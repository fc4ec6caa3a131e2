import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Config } from '../config/types.js'
import { OAuthError } from '../oauth2/errors.js'
import { BcryptBusyError, BcryptPool, type BcryptPoolOptions } from './bcrypt-pool.js'

export interface SecretHasher {
  /** oauth2.hashers.algorithm: what new hashes are made with. */
  readonly algorithm: HasherConfig['algorithm']
  /** Refuses (RangeError) a secret the algorithm would not read whole. */
  hash(secret: string): Promise<string>
  /** True when `secret` matches `encoded` (either format); false for malformed encodings. */
  verify(secret: string, encoded: string): Promise<boolean>
  /** Stops the threads bcrypt runs on, if any were started. */
  close(): Promise<void>
}

export type HasherConfig = Config['oauth2']['hashers']

const SALT_BYTES = 16
const KEY_BYTES = 32
/** bcrypt ignores everything after the 72nd byte of its input. */
export const BCRYPT_MAX_BYTES = 72
// Node rejects iteration counts above a signed 32-bit integer.
const MAX_ITERATIONS = 2 ** 31 - 1

// The format Ory's hasherx writes: base64 without padding (Go's RawStdEncoding).
const PBKDF2_FORMAT = /^\$pbkdf2-sha256\$i=([1-9]\d{0,9}),l=([1-9]\d{0,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
const BCRYPT_FORMAT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/
// "$2b$10$" plus the 22-character salt; the remaining 31 characters are the hash.
const BCRYPT_SETTINGS_LENGTH = 29

const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '')

function derive(secret: string, salt: Buffer, iterations: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(secret, salt, iterations, length, 'sha256', (err, key) => (err ? reject(err) : resolve(key)))
  })
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

async function hashPbkdf2(secret: string, iterations: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(secret, salt, iterations, KEY_BYTES)
  return `$pbkdf2-sha256$i=${iterations},l=${KEY_BYTES}$${b64(salt)}$${b64(key)}`
}

async function verifyPbkdf2(secret: string, encoded: string): Promise<boolean> {
  const m = PBKDF2_FORMAT.exec(encoded)
  if (!m) return false
  const iterations = Number(m[1])
  const length = Number(m[2])
  // The pattern admits only base64 characters, which Buffer.from decodes without surprises.
  const salt = Buffer.from(m[3] ?? '', 'base64')
  const expected = Buffer.from(m[4] ?? '', 'base64')
  if (iterations > MAX_ITERATIONS || expected.length !== length) return false
  return sameBytes(await derive(secret, salt, iterations, length), expected)
}

async function hashBcrypt(pool: BcryptPool, secret: string, cost: number): Promise<string> {
  // A hash of the first 72 bytes would let any secret with that prefix authenticate. Callers
  // refuse such secrets first (client validation); this only keeps the hasher from truncating.
  if (Buffer.byteLength(secret, 'utf8') > BCRYPT_MAX_BYTES) throw new RangeError(`bcrypt reads at most ${BCRYPT_MAX_BYTES} bytes of a secret`)
  return pool.hash(secret, cost)
}

// Hashing again with the stored salt and cost lets the comparison be timing-safe. Like every
// bcrypt implementation this only looks at the first 72 bytes of the secret: hashes imported
// from Hydra may have been made from longer secrets and must keep verifying.
async function verifyBcrypt(pool: BcryptPool, secret: string, encoded: string): Promise<boolean> {
  if (!BCRYPT_FORMAT.test(encoded)) return false
  const computed = await pool.hash(secret, encoded.slice(0, BCRYPT_SETTINGS_LENGTH))
  return sameBytes(
    Buffer.from(computed.slice(BCRYPT_SETTINGS_LENGTH)),
    Buffer.from(encoded.slice(BCRYPT_SETTINGS_LENGTH)),
  )
}

// Too many bcrypt checks waiting: the server is overloaded, which is not the client's fault.
const busy = (): OAuthError =>
  new OAuthError(
    'temporarily_unavailable',
    'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
    503,
    'Too many client secret checks are waiting; retry later.',
  )

export function createHasher(cfg: HasherConfig, poolOptions: BcryptPoolOptions = {}): SecretHasher {
  // Created on the first bcrypt hash or check; its threads start with their first computation.
  let pool: BcryptPool | undefined
  const bcryptPool = (): BcryptPool => (pool ??= new BcryptPool(poolOptions))
  return {
    algorithm: cfg.algorithm,
    async hash(secret) {
      if (cfg.algorithm !== 'bcrypt') return hashPbkdf2(secret, cfg.pbkdf2.iterations)
      try {
        return await hashBcrypt(bcryptPool(), secret, cfg.bcrypt.cost)
      } catch (e) {
        throw e instanceof BcryptBusyError ? busy() : e
      }
    },
    // Both formats are accepted whatever is configured, so changing the algorithm does not
    // lock out clients whose secrets were hashed before the change.
    async verify(secret, encoded) {
      try {
        if (encoded.startsWith('$pbkdf2-')) return await verifyPbkdf2(secret, encoded)
        if (encoded.startsWith('$2')) return await verifyBcrypt(bcryptPool(), secret, encoded)
        return false
      } catch (e) {
        if (e instanceof BcryptBusyError) throw busy()
        return false
      }
    },
    async close() {
      const running = pool
      pool = undefined
      await running?.close()
    },
  }
}
