// How a JWK is kept at rest: JSON sealed with secrets.system (AES-256-GCM, src/crypto/aead.ts)
// under the purpose "jwk", so a value sealed for another use never opens as a key.
import { DecryptionError, type Aead } from '../crypto/aead.js'
import type { Jwk } from './model.js'
import type { NewSealedKey, SealedKey } from './store.js'

const PURPOSE = 'jwk'

/** A stored key that does not open with secrets.system or is not a JWK: never silently skipped. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError'
  constructor(
    readonly set: string,
    readonly kid: string,
    reason: string,
  ) {
    super(`the JSON Web Key "${kid}" of set "${set}" cannot be read: ${reason}`)
  }
}

export function sealJwk(aead: Aead, set: string, jwk: Jwk, createdAt: number): NewSealedKey {
  return { set, kid: jwk.kid, keydata: aead.seal(JSON.stringify(jwk), PURPOSE), createdAt: new Date(createdAt) }
}

export function openJwk(aead: Aead, s: SealedKey): Jwk {
  let text: string
  try {
    text = aead.open(s.keydata, PURPOSE).toString('utf8')
  } catch (e) {
    if (e instanceof DecryptionError) throw new KeyDecryptionError(s.set, s.kid, 'secrets.system does not decrypt it')
    throw e
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new KeyDecryptionError(s.set, s.kid, 'the decrypted value is not JSON')
  }
  const j = parsed as Partial<Jwk> | null
  if (typeof j !== 'object' || j === null || typeof j.kty !== 'string' || typeof j.alg !== 'string') {
    throw new KeyDecryptionError(s.set, s.kid, 'the decrypted value is not a JSON Web Key')
  }
  return { ...(j as Jwk), kid: s.kid, use: j.use === 'enc' ? 'enc' : 'sig' }
}

/** True when secrets.system opens the key. */
export function opens(aead: Aead, s: SealedKey): boolean {
  try {
    openJwk(aead, s)
    return true
  } catch {
    return false
  }
}
