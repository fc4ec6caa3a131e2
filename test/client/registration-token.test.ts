import { describe, expect, it } from 'vitest'
import { RegistrationTokens } from '../../src/client/registration-token.js'

describe('RegistrationTokens', () => {
  it('stores a signature that is not the token and verifies only the issued token', () => {
    const tokens = new RegistrationTokens(['first-secret-of-enough-length'])
    const { token, signature } = tokens.issue()
    expect(signature).toMatch(/^[0-9a-f]{64}$/)
    expect(signature).not.toContain(token)
    expect(tokens.verify(token, signature)).toBe(true)
    expect(tokens.verify(`${token}x`, signature)).toBe(false)
    expect(tokens.verify('', signature)).toBe(false)
    expect(tokens.verify(token, '')).toBe(false)
    expect(tokens.verify(token, 'zz')).toBe(false)
    expect(tokens.issue().token).not.toBe(token)
  })

  it('keeps verifying after secrets.system is rotated, not after the secret is removed', () => {
    const { token, signature } = new RegistrationTokens(['old-secret-of-enough-length']).issue()
    expect(new RegistrationTokens(['new-secret-of-enough-length', 'old-secret-of-enough-length']).verify(token, signature)).toBe(true)
    expect(new RegistrationTokens(['new-secret-of-enough-length']).verify(token, signature)).toBe(false)
  })
})
