// RFC 7636 on both sides: what an authorization request may send, and what the code exchange checks.
import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../src/oauth2/errors.js'
import { checkPkceRequest, s256, verifyPkce, type PkcePolicy } from '../../src/oauth2/pkce.js'

const OFF: PkcePolicy = { enforced: false, enforcedForPublicClients: false, allowPlain: false }
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof OAuthError) return e.error
    throw e
  }
  return 'none'
}

describe('checkPkceRequest', () => {
  it('computes S256 as in RFC 7636 Appendix B', () => {
    expect(s256(VERIFIER)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })

  it('accepts S256 and needs nothing when PKCE is not enforced', () => {
    expect(checkPkceRequest(s256(VERIFIER), 'S256', false, OFF)).toEqual({ challenge: s256(VERIFIER), method: 'S256' })
    expect(checkPkceRequest('', '', true, OFF)).toBeUndefined()
  })

  it('enforces PKCE for everyone or for public clients only', () => {
    expect(errorOf(() => checkPkceRequest('', '', false, { ...OFF, enforced: true }))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest('', '', true, { ...OFF, enforcedForPublicClients: true }))).toBe('invalid_request')
    expect(checkPkceRequest('', '', false, { ...OFF, enforcedForPublicClients: true })).toBeUndefined()
  })

  it('allows plain only when configured; a missing method means plain (§4.3)', () => {
    const plain = 'p'.repeat(60)
    expect(errorOf(() => checkPkceRequest(plain, 'plain', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest(plain, '', false, OFF))).toBe('invalid_request')
    expect(checkPkceRequest(plain, '', false, { ...OFF, allowPlain: true })).toEqual({ challenge: plain, method: 'plain' })
  })

  it('refuses unknown methods, a method without challenge, and malformed challenges', () => {
    expect(errorOf(() => checkPkceRequest(s256(VERIFIER), 'S512', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest('', 'S256', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest('short', 'S256', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest(`${s256(VERIFIER)}x`, 'S256', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest(`${'a'.repeat(42)}!`, 'S256', false, OFF))).toBe('invalid_request')
    expect(errorOf(() => checkPkceRequest('a'.repeat(129), 'plain', false, { ...OFF, allowPlain: true }))).toBe('invalid_request')
  })
})

describe('verifyPkce', () => {
  const stored = { challenge: s256(VERIFIER), method: 'S256' as const }

  it('accepts the matching verifier', () => {
    expect(errorOf(() => verifyPkce(stored, VERIFIER, false, OFF))).toBe('none')
    const plain = { challenge: 'q'.repeat(43), method: 'plain' as const }
    expect(errorOf(() => verifyPkce(plain, 'q'.repeat(43), false, OFF))).toBe('none')
  })

  it('refuses a wrong, short, long or badly formed verifier with invalid_grant', () => {
    expect(errorOf(() => verifyPkce(stored, `${VERIFIER.slice(0, -1)}x`, false, OFF))).toBe('invalid_grant')
    expect(errorOf(() => verifyPkce(stored, 'a'.repeat(42), false, OFF))).toBe('invalid_grant')
    expect(errorOf(() => verifyPkce(stored, 'a'.repeat(129), false, OFF))).toBe('invalid_grant')
    expect(errorOf(() => verifyPkce(stored, `${'a'.repeat(42)} `, false, OFF))).toBe('invalid_grant')
    expect(errorOf(() => verifyPkce(stored, undefined, false, OFF))).toBe('invalid_grant')
  })

  it('refuses a verifier for a code issued without PKCE, and a missing one when enforced', () => {
    expect(errorOf(() => verifyPkce(undefined, VERIFIER, false, OFF))).toBe('invalid_grant')
    expect(errorOf(() => verifyPkce(undefined, undefined, false, OFF))).toBe('none')
    expect(errorOf(() => verifyPkce(undefined, undefined, true, { ...OFF, enforcedForPublicClients: true }))).toBe('invalid_request')
  })
})
