import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HmacKeys } from '../../../src/crypto/hmac.js'
import {
  ACCESS_TOKEN_PREFIX,
  AUTHORIZE_CODE_PREFIX,
  OpaqueTokens,
  REFRESH_TOKEN_PREFIX,
} from '../../../src/oauth2/tokens/opaque-hmac.js'

const SECRET = 'a-system-secret-of-32-characters'
const tokens = (secrets: string[] = [SECRET]) => new OpaqueTokens(new HmacKeys(secrets))

describe('opaque HMAC tokens', () => {
  it('have Hydra\'s shape: ory_at_<43 chars>.<43 chars>, and only the signature is returned for storage', () => {
    const { token, signature } = tokens().generate(ACCESS_TOKEN_PREFIX)
    expect(token).toMatch(/^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/)
    expect(token.endsWith(`.${signature}`)).toBe(true)
    expect(signature).toHaveLength(43)
    expect(tokens().generate(REFRESH_TOKEN_PREFIX).token.startsWith('ory_rt_')).toBe(true)
    expect(tokens().generate(AUTHORIZE_CODE_PREFIX).token.startsWith('ory_ac_')).toBe(true)
  })

  it('are signed as fosite signs them: HMAC-SHA512/256 of the key bytes under sha256(secret)', () => {
    const { token, signature } = tokens().generate(ACCESS_TOKEN_PREFIX)
    const key = Buffer.from(token.slice(ACCESS_TOKEN_PREFIX.length).split('.')[0]!, 'base64url')
    const hmacKey = createHash('sha256').update(SECRET).digest()
    expect(createHmac('sha512-256', hmacKey).update(key).digest('base64url')).toBe(signature)
  })

  it('validate to their signature, and every token is different', () => {
    const t = tokens()
    const a = t.generate(ACCESS_TOKEN_PREFIX)
    const b = t.generate(ACCESS_TOKEN_PREFIX)
    expect(a.token).not.toBe(b.token)
    expect(t.signatureOf(a.token, ACCESS_TOKEN_PREFIX)).toBe(a.signature)
    // Tokens from before Hydra added prefixes carry none.
    expect(t.signatureOf(a.token.slice(ACCESS_TOKEN_PREFIX.length), ACCESS_TOKEN_PREFIX)).toBe(a.signature)
  })

  it('keep validating after a secret rotation, and stop when the secret is dropped', () => {
    const old = tokens(['an-old-system-secret-of-32-chars']).generate(ACCESS_TOKEN_PREFIX)
    expect(tokens([SECRET, 'an-old-system-secret-of-32-chars']).signatureOf(old.token, ACCESS_TOKEN_PREFIX)).toBe(old.signature)
    expect(tokens([SECRET]).signatureOf(old.token, ACCESS_TOKEN_PREFIX)).toBeUndefined()
    // New tokens are signed with the first secret.
    const fresh = tokens([SECRET, 'an-old-system-secret-of-32-chars']).generate(ACCESS_TOKEN_PREFIX)
    expect(tokens([SECRET]).signatureOf(fresh.token, ACCESS_TOKEN_PREFIX)).toBe(fresh.signature)
  })

  it('reject tampering, another kind and garbage without throwing', () => {
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // The last of 43 characters carries 4 bits and 2 unused ones: setting one aliases the same bytes.
    const alias = (s: string) => s.slice(0, 42) + B64URL[B64URL.indexOf(s[42]!) + 1]
    const t = tokens()
    const { token } = t.generate(ACCESS_TOKEN_PREFIX)
    const [key, sig] = token.slice(ACCESS_TOKEN_PREFIX.length).split('.') as [string, string]
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
    const bad: unknown[] = [
      `ory_at_${flip(key)}.${sig}`,
      `ory_at_${key}.${flip(sig)}`,
      `ory_rt_${key}.${sig}`,
      `ory_at_${key}.${sig}.x`,
      `ory_at_${key}`,
      `ory_at_.${sig}`,
      // A non-canonical base64url spelling of the same bytes is not the same token.
      `ory_at_${alias(key)}.${sig}`,
      `ory_at_${key}.${alias(sig)}`,
      '',
      '.',
      'ory_at_',
      'x'.repeat(100_000),
      'eyJhbGciOiJub25lIn0.e30.',
      '%%%.%%%',
      undefined,
      null,
      42,
      {},
    ]
    for (const value of bad) expect(t.signatureOf(value, ACCESS_TOKEN_PREFIX), String(value).slice(0, 60)).toBeUndefined()
    expect(t.signatureOf(token, REFRESH_TOKEN_PREFIX)).toBeUndefined()
  })
})
