// OAuth 2.0 and OpenID Connect session data at rest (the session_data of token, code and device
// rows). Sealed with secrets.system unless oauth2.session.encrypt_at_rest is false; either way a
// stored value is read back whatever the setting was when it was written: JSON is plaintext,
// anything else is sealed (Hydra's toRequest does the same with gjson.ValidBytes).
import type { Aead } from './aead.js'

/** What a store needs to write and read session data; Aead itself is one (always sealing). */
export interface SessionSealer {
  seal(plaintext: string, purpose: string): string
  open(stored: string, purpose: string): Buffer
}

export class SessionData implements SessionSealer {
  constructor(
    private readonly aead: Aead,
    private readonly encryptAtRest: boolean,
  ) {}

  seal(plaintext: string, purpose: string): string {
    return this.encryptAtRest ? this.aead.seal(plaintext, purpose) : plaintext
  }

  open(stored: string, purpose: string): Buffer {
    // A sealed value starts with its version (`v1.`), never with a JSON object.
    return isPlaintext(stored) ? Buffer.from(stored, 'utf8') : this.aead.open(stored, purpose)
  }
}

/** True for session data stored as plaintext JSON (encrypt_at_rest was off when it was written). */
export const isPlaintext = (stored: string): boolean => stored.startsWith('{')
