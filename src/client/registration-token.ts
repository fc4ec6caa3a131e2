// The registration access token of RFC 7592 §3: a bearer credential handed to a dynamically
// registered client once, and kept only as a keyed hash (like a password, never readable back).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const PREFIX = 'ory_rat_'

export class RegistrationTokens {
  private readonly keys: Buffer[]

  /** `secrets`: secrets.system; the first one signs new tokens, every one verifies (rotation). */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one system secret is required')
    // A purpose label keeps these MACs apart from every other use of the same secrets.
    this.keys = secrets.map((s) => createHash('sha256').update(`registration-access-token\0${s}`, 'utf8').digest())
  }

  private mac(key: Buffer, token: string): Buffer {
    return createHmac('sha256', key).update(token, 'utf8').digest()
  }

  /** A new token and the signature to store in its place. */
  issue(): { token: string; signature: string } {
    // 256 bits of entropy: RFC 6750 §5.2 asks for tokens that cannot be guessed.
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`
    return { token, signature: this.mac(this.keys[0] as Buffer, token).toString('hex') }
  }

  /** True when `token` is the one `signature` was stored for. Constant-time for every key. */
  verify(token: string, signature: string): boolean {
    if (token === '' || !/^[0-9a-f]{64}$/.test(signature)) return false
    const stored = Buffer.from(signature, 'hex')
    let ok = false
    for (const key of this.keys) {
      if (timingSafeEqual(this.mac(key, token), stored)) ok = true
    }
    return ok
  }
}
