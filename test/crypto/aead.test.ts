import { describe, expect, it } from 'vitest'
import { Aead, DecryptionError } from '../../src/crypto/aead.js'

const OLD = 'the-old-system-secret-0123456789'
const NEW = 'the-new-system-secret-0123456789'

describe('Aead (AES-256-GCM with secrets.system)', () => {
  it('round-trips text and bytes, with a fresh IV every time', () => {
    const aead = new Aead([NEW])
    const a = aead.seal('{"d":"private"}', 'jwk')
    const b = aead.seal('{"d":"private"}', 'jwk')
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('private')
    expect(aead.open(a, 'jwk').toString('utf8')).toBe('{"d":"private"}')
    const bytes = Buffer.from([0, 1, 2, 255])
    expect(aead.open(aead.seal(bytes, 'x'), 'x')).toEqual(bytes)
  })

  it('refuses a tampered value', () => {
    const aead = new Aead([NEW])
    const sealed = aead.seal('hello world', 'jwk')
    const [v, iv, body] = sealed.split('.') as [string, string, string]
    const raw = Buffer.from(body, 'base64url')
    raw[0] = (raw[0] ?? 0) ^ 1
    expect(() => aead.open(`${v}.${iv}.${raw.toString('base64url')}`, 'jwk')).toThrow(DecryptionError)
    const ivRaw = Buffer.from(iv, 'base64url')
    ivRaw[0] = (ivRaw[0] ?? 0) ^ 1
    expect(() => aead.open(`${v}.${ivRaw.toString('base64url')}.${body}`, 'jwk')).toThrow(DecryptionError)
    expect(() => aead.open('v2.abc.def', 'jwk')).toThrow(DecryptionError)
    expect(() => aead.open('not sealed at all', 'jwk')).toThrow(DecryptionError)
  })

  it('refuses a value sealed for another purpose', () => {
    const aead = new Aead([NEW])
    expect(() => aead.open(aead.seal('x', 'jwk'), 'cookie')).toThrow(DecryptionError)
  })

  it('refuses a value sealed with a secret that is not configured', () => {
    expect(() => new Aead([NEW]).open(new Aead([OLD]).seal('x', 'jwk'), 'jwk')).toThrow(DecryptionError)
  })

  it('rotates: the first secret seals, an older one listed after it still opens', () => {
    const sealedWithOld = new Aead([OLD]).seal('kept', 'jwk')
    const rotated = new Aead([NEW, OLD])
    expect(rotated.open(sealedWithOld, 'jwk').toString()).toBe('kept')
    expect(rotated.needsRotation(sealedWithOld, 'jwk')).toBe(true)

    const resealed = rotated.seal('kept', 'jwk')
    expect(rotated.needsRotation(resealed, 'jwk')).toBe(false)
    expect(new Aead([NEW]).open(resealed, 'jwk').toString()).toBe('kept')
    expect(() => new Aead([OLD]).open(resealed, 'jwk')).toThrow(DecryptionError)
  })

  it('needs at least one secret', () => {
    expect(() => new Aead([])).toThrow()
  })
})
