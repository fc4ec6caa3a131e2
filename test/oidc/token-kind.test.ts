import { UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { isIdToken, mayBeAccessToken } from '../../src/oidc/token-kind.js'

/** A token whose header says `typ` (the signature is not what these functions look at). */
const withTyp = (typ: string | undefined): string => {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', ...(typ === undefined ? {} : { typ }) })).toString('base64url')
  return `${header}.${new UnsecuredJWT({}).encode().split('.')[1] ?? ''}.c2ln`
}

describe('token kinds', () => {
  const id = { sub: 'a', exp: 2, iat: 1 }
  it('knows an ID token by typ JWT (or none) and exp, without events', () => {
    expect(isIdToken(withTyp('JWT'), id)).toBe(true)
    expect(isIdToken(withTyp(undefined), id)).toBe(true)
    expect(isIdToken(withTyp('logout+jwt'), id)).toBe(false)
    expect(isIdToken(withTyp('at+jwt'), id)).toBe(false)
    expect(isIdToken(withTyp('application/at+jwt'), id)).toBe(false)
    expect(isIdToken(withTyp('JWT'), { ...id, events: {} })).toBe(false)
    expect(isIdToken(withTyp('JWT'), { sub: 'a', iat: 1 })).toBe(false)
  })

  it('takes at+jwt (or the generic JWT) for an access token, never a logout token', () => {
    expect(mayBeAccessToken(withTyp('at+jwt'), {})).toBe(true)
    expect(mayBeAccessToken(withTyp('application/at+jwt'), {})).toBe(true)
    expect(mayBeAccessToken(withTyp('JWT'), {})).toBe(true)
    expect(mayBeAccessToken(withTyp('logout+jwt'), {})).toBe(false)
    expect(mayBeAccessToken(withTyp('at+jwt'), { events: {} })).toBe(false)
  })
})
