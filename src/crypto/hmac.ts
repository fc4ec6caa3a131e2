// Keyed hashes for opaque token handles, and plain digests for looking values up without
// storing them.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

// Hydra (fosite's HMACStrategy) signs with HMAC-SHA512/256 under sha256(secrets.system[n]);
// using the same derivation keeps tokens issued by one valid on the other.
const ALGORITHM = 'sha512-256'

function deriveKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

/** HMAC under secrets.system: the first secret signs, every secret verifies (rotation). */
export class HmacKeys {
  private readonly keys: Buffer[]

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one system secret is required')
    this.keys = secrets.map(deriveKey)
  }

  sign(data: Buffer): Buffer {
    return createHmac(ALGORITHM, this.keys[0] as Buffer).update(data).digest()
  }

  /** True when `mac` was made over `data` with any configured secret. Constant-time per key. */
  verify(data: Buffer, mac: Buffer): boolean {
    let ok = false
    for (const key of this.keys) {
      const expected = createHmac(ALGORITHM, key).update(data).digest()
      // Every key is tried even after a match, so timing does not tell which secret signed.
      if (expected.length === mac.length && timingSafeEqual(expected, mac)) ok = true
    }
    return ok
  }
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex')

export const sha384Hex = (value: string): string => createHash('sha384').update(value, 'utf8').digest('hex')
