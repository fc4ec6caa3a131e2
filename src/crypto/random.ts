import { randomBytes, randomUUID } from 'node:crypto'

// RFC 3986 unreserved characters: safe in URLs, form bodies and Basic auth without escaping.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'

// Bytes at or above the largest multiple of the alphabet size are discarded, otherwise
// `byte % 66` would favour the first 256 % 66 characters.
const LIMIT = 256 - (256 % ALPHABET.length)

/** A random UUID v4. */
export function randomId(): string {
  return randomUUID()
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
