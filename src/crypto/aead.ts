// Authenticated encryption at rest with secrets.system: AES-256-GCM, the first secret
// encrypts, every secret decrypts (rotation). The purpose string is bound as associated
// data so a value sealed for one use cannot be replayed as another.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto'
import { pooledRandomBytes } from './random.js'

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export class DecryptionError extends Error {
  override name = 'DecryptionError'
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'orthrus aes-256-gcm at rest', 32))
}

export class Aead {
  private readonly keys: Buffer[]

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one system secret is required')
    this.keys = secrets.map(deriveKey)
  }

  /** Returns `v1.<iv>.<ciphertext+tag>` in base64url. */
  seal(plaintext: Buffer | string, purpose: string): string {
    const iv = pooledRandomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.keys[0] as Buffer, iv)
    cipher.setAAD(Buffer.from(purpose, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`
  }

  /** Opens a sealed value with any configured secret; throws DecryptionError otherwise. */
  open(sealed: string, purpose: string): Buffer {
    const parts = parse(sealed)
    for (const key of this.keys) {
      const plain = tryOpen(key, parts, purpose)
      if (plain) return plain
    }
    throw new DecryptionError('no configured secret opens this value')
  }

  /** True when the value opens only with an older secret and should be re-sealed. */
  needsRotation(sealed: string, purpose: string): boolean {
    return tryOpen(this.keys[0] as Buffer, parse(sealed), purpose) === undefined
  }
}

interface Parts {
  iv: Buffer
  body: Buffer
}

function parse(sealed: string): Parts {
  const [version, ivText, bodyText] = sealed.split('.')
  if (version !== VERSION || !ivText || !bodyText) throw new DecryptionError('not a sealed value')
  const iv = Buffer.from(ivText, 'base64url')
  const body = Buffer.from(bodyText, 'base64url')
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new DecryptionError('not a sealed value')
  return { iv, body }
}

function tryOpen(key: Buffer, { iv, body }: Parts, purpose: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(Buffer.from(purpose, 'utf8'))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()])
  } catch {
    return undefined
  }
}
