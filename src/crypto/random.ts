import { randomBytes, randomFillSync, randomUUID } from 'node:crypto'

// RFC 3986 unreserved characters: safe in URLs, form bodies and Basic auth without escaping.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'

// Bytes at or above the largest multiple of the alphabet size are discarded, otherwise
// `byte % 66` would favour the first 256 % 66 characters.
const LIMIT = 256 - (256 % ALPHABET.length)

/** A random UUID v4. */
export function randomId(): string {
  return randomUUID()
}

/**
 * A UUID v7 (RFC 9562 §5.7): the millisecond `time` first, then 74 random bits. Ids made one
 * after the other sort in the order they were made, so an index on them grows at its end instead
 * of touching a random page per insert (the token tables' request_id).
 */
export function timeOrderedId(time: number): string {
  const hex = pooledRandomBytes(10).toString('hex')
  const ms = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0').slice(-12)
  // rand_a after the version nibble; rand_b after the variant bits (10xx).
  const variant = ((parseInt(hex.slice(3, 4), 16) & 0x3) | 0x8).toString(16)
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex.slice(0, 3)}-${variant}${hex.slice(4, 7)}-${hex.slice(7, 19)}`
}

/** A random string of `length` characters from [A-Za-z0-9-_.~], every character equally likely. */
export function randomSecret(length = 26): string {
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new RangeError(`randomSecret: length must be a positive integer, got ${length}`)
  }
  let out = ''
  while (out.length < length) {
    // A few spare bytes so that one round is nearly always enough despite rejections.
    const bytes = randomBytes(length - out.length + 16)
    for (const b of bytes) {
      if (b >= LIMIT) continue
      out += ALPHABET.charAt(b % ALPHABET.length)
      if (out.length === length) break
    }
  }
  return out
}

// Each call of randomBytes is a trip into the OS; tokens and IVs need a few dozen bytes per
// request. Like randomUUID, take them from a larger buffer filled at once. Every byte is handed
// out exactly once and a used buffer is never refilled (a new one replaces it), so no two
// callers ever share bytes.
const POOL_BYTES = 8192
let pool = Buffer.alloc(0)
let offset = 0

/** `size` cryptographically random bytes (at most 256), from a pre-filled buffer. */
export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 1 || size > 256) {
    throw new RangeError(`pooledRandomBytes: size must be an integer from 1 to 256, got ${size}`)
  }
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES))
    offset = 0
  }
  const out = pool.subarray(offset, offset + size)
  offset += size
  return out
}
