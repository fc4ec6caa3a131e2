import { describe, expect, it } from 'vitest'
import {
  exactScopeMatch,
  grantAudience,
  grantScopes,
  hasScopes,
  splitAudience,
  splitScope,
  wildcardScopeMatch,
} from '../../src/oauth2/scopes.js'
import { OAuthError } from '../../src/oauth2/errors.js'

describe('wildcard scope strategy (fosite semantics)', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['foo'], 'foo', true],
    [['foo'], 'foo.bar', false],
    [['foo.*'], 'foo.bar', true],
    [['foo.*'], 'foo.bar.baz', true],
    [['foo.*'], 'foo', false],
    [['foo.*'], 'foo.', false],
    [['foo.*'], 'bar.foo', false],
    [['foo.*.baz'], 'foo.bar.baz', true],
    [['foo.*.baz'], 'foo.bar.qux', false],
    [['foo.*.baz'], 'foo.bar.baz.qux', false],
    [['foo.bar'], 'foo.bar', true],
    [['foo.bar'], 'foo.baz', false],
    [['*'], 'anything', true],
    [['*'], 'any.thing', true],
    [['*'], '', false],
    [[], 'foo', false],
    [['a', 'foo.*'], 'foo.x', true],
  ]
  for (const [allowed, needle, expected] of cases) {
    it(`${JSON.stringify(allowed)} ${expected ? 'allows' : 'refuses'} "${needle}"`, () => {
      expect(wildcardScopeMatch(allowed, needle)).toBe(expected)
    })
  }

  it('exact strategy only allows the same string', () => {
    expect(exactScopeMatch(['foo.*'], 'foo.bar')).toBe(false)
    expect(exactScopeMatch(['foo.*'], 'foo.*')).toBe(true)
  })
})

describe('granting scopes and audiences', () => {
  const policy = { matcher: wildcardScopeMatch, grantAllByDefault: false }

  it('grants what was asked when the client may have it', () => {
    expect(grantScopes('read write.*', ['read', 'write.x'], policy)).toEqual(['read', 'write.x'])
  })

  it('refuses a scope the client does not have, with invalid_scope', () => {
    try {
      grantScopes('read', ['read', 'admin'], policy)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(OAuthError)
      expect((e as OAuthError).error).toBe('invalid_scope')
      expect((e as OAuthError).hint).toContain("'admin'")
    }
  })

  it('grants nothing for an empty request unless default_grant_allowed_scope is on', () => {
    expect(grantScopes('read write', [], policy)).toEqual([])
    expect(grantScopes('read write', [], { ...policy, grantAllByDefault: true })).toEqual(['read', 'write'])
  })

  it('audiences must be exact members of the client\'s list (invalid_request otherwise)', () => {
    expect(grantAudience(['https://api.example', 'urn:x'], ['urn:x'])).toEqual(['urn:x'])
    expect(grantAudience(['https://api.example'], [])).toEqual([])
    for (const wanted of ['https://api.example/sub', 'https://API.example', 'urn:y']) {
      expect(() => grantAudience(['https://api.example'], [wanted])).toThrowError(/has not been whitelisted/)
    }
    try {
      grantAudience([], ['urn:x'])
    } catch (e) {
      expect((e as OAuthError).error).toBe('invalid_request')
    }
  })

  it('splits scope and audience parameters as fosite does', () => {
    expect(splitScope('  a b  a ')).toEqual(['a', 'b'])
    expect(splitScope(undefined)).toEqual([])
    expect(splitAudience('x y')).toEqual(['x', 'y'])
    expect(splitAudience(['x y', 'z'])).toEqual(['x y', 'z'])
  })

  it('introspection requires every listed scope', () => {
    expect(hasScopes(['a', 'b.c'], ['a'], wildcardScopeMatch)).toBe(true)
    expect(hasScopes(['a', 'b.*'], ['b.c'], wildcardScopeMatch)).toBe(true)
    expect(hasScopes(['a'], ['a', 'b'], wildcardScopeMatch)).toBe(false)
    expect(hasScopes(['a'], [], wildcardScopeMatch)).toBe(true)
  })
})
