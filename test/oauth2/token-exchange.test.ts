// RFC 8693 building blocks: token type identifiers, the act chain (§4.1), may_act (§4.4),
// resource indicators (RFC 8707) and how the exchanged scope narrows.
import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../src/oauth2/errors.js'
import { exchangeScope, resourceIndicators } from '../../src/oauth2/grants/token-exchange.js'
import { exactScopeMatch, wildcardScopeMatch } from '../../src/oauth2/scopes.js'
import {
  actClaim,
  mayAct,
  parseAct,
  presentedTokenType,
  requestedTokenType,
} from '../../src/oauth2/token-exchange/types.js'

const ISSUER = 'https://auth.example.com'

function errorOf(fn: () => unknown): OAuthError {
  try {
    fn()
  } catch (e) {
    if (e instanceof OAuthError) return e
    throw e
  }
  throw new Error('expected an OAuthError')
}

describe('token type identifiers', () => {
  it('accepts the supported subject and actor token types', () => {
    expect(presentedTokenType('subject_token_type', 'urn:ietf:params:oauth:token-type:access_token')).toBe('access_token')
    expect(presentedTokenType('subject_token_type', 'urn:ietf:params:oauth:token-type:id_token')).toBe('id_token')
    expect(presentedTokenType('actor_token_type', 'urn:ietf:params:oauth:token-type:jwt')).toBe('jwt')
  })

  it('refuses missing and unsupported types with invalid_request (§2.2.2)', () => {
    expect(errorOf(() => presentedTokenType('subject_token_type', undefined))).toMatchObject({ error: 'invalid_request' })
    expect(errorOf(() => presentedTokenType('subject_token_type', ''))).toMatchObject({ error: 'invalid_request' })
    const refresh = errorOf(() => presentedTokenType('subject_token_type', 'urn:ietf:params:oauth:token-type:refresh_token'))
    expect(refresh.error).toBe('invalid_request')
    expect(refresh.hint).toContain('subject_token_type')
    expect(errorOf(() => presentedTokenType('actor_token_type', 'urn:ietf:params:oauth:token-type:saml2')).hint).toContain('actor_token_type')
  })

  it('defaults the requested type to an access token and never issues refresh tokens', () => {
    expect(requestedTokenType(undefined)).toBe('access_token')
    expect(requestedTokenType('')).toBe('access_token')
    expect(requestedTokenType('urn:ietf:params:oauth:token-type:access_token')).toBe('access_token')
    expect(requestedTokenType('urn:ietf:params:oauth:token-type:jwt')).toBe('jwt')
    expect(requestedTokenType('urn:ietf:params:oauth:token-type:id_token')).toBe('id_token')
    expect(errorOf(() => requestedTokenType('urn:ietf:params:oauth:token-type:refresh_token')).error).toBe('invalid_request')
    expect(errorOf(() => requestedTokenType('bearer')).error).toBe('invalid_request')
  })
})

describe('act (§4.1)', () => {
  it('names the actor and nests the subject token\'s earlier chain', () => {
    const first = actClaim({ subject: 'service-a', clientId: 'client-a' }, undefined)
    expect(first).toEqual({ sub: 'service-a', client_id: 'client-a' })
    const second = actClaim({ subject: 'service-b', issuer: 'https://idp.example.org' }, first)
    expect(second).toEqual({
      sub: 'service-b',
      iss: 'https://idp.example.org',
      act: { sub: 'service-a', client_id: 'client-a' },
    })
  })

  it('parses a chain from a token and keeps only identifying members', () => {
    expect(parseAct(undefined)).toBeUndefined()
    expect(parseAct({ sub: 'a', extra: 1, act: { sub: 'b', iss: 'https://x', act: { sub: 'c' } } })).toEqual({
      sub: 'a',
      act: { sub: 'b', iss: 'https://x', act: { sub: 'c' } },
    })
  })

  it('refuses malformed and absurdly deep chains', () => {
    expect(errorOf(() => parseAct('someone')).error).toBe('invalid_request')
    expect(errorOf(() => parseAct({ client_id: 'x' })).error).toBe('invalid_request')
    expect(errorOf(() => parseAct({ sub: 'a', act: { sub: 7 } })).error).toBe('invalid_request')
    let deep: Record<string, unknown> = { sub: 'leaf' }
    for (let i = 0; i < 40; i++) deep = { sub: `a${i}`, act: deep }
    expect(errorOf(() => parseAct(deep)).error).toBe('invalid_request')
  })
})

describe('may_act (§4.4)', () => {
  const actor = { subject: 'admin@example.com', clientId: 'admin-console' }

  it('allows anyone when the subject token has no may_act', () => {
    expect(mayAct(undefined, actor, ISSUER)).toBe(true)
  })

  it('allows only the party every member names', () => {
    expect(mayAct({ sub: 'admin@example.com' }, actor, ISSUER)).toBe(true)
    expect(mayAct({ sub: 'admin@example.com', client_id: 'admin-console' }, actor, ISSUER)).toBe(true)
    expect(mayAct({ sub: 'admin@example.com', iss: ISSUER }, actor, ISSUER)).toBe(true)
    expect(mayAct({ sub: 'someone-else' }, actor, ISSUER)).toBe(false)
    expect(mayAct({ sub: 'admin@example.com', client_id: 'other' }, actor, ISSUER)).toBe(false)
    // An actor from another issuer is not the Orthrus subject of the same name.
    expect(mayAct({ sub: 'admin@example.com', iss: ISSUER }, { subject: 'admin@example.com', issuer: 'https://idp.example.org' }, ISSUER)).toBe(false)
  })

  it('allows nobody when may_act identifies nobody or is malformed', () => {
    expect(mayAct({}, actor, ISSUER)).toBe(false)
    expect(mayAct('admin@example.com', actor, ISSUER)).toBe(false)
    expect(mayAct({ sub: ['admin@example.com'] }, actor, ISSUER)).toBe(false)
  })
})

describe('resource indicators (RFC 8707)', () => {
  it('takes absolute URIs', () => {
    expect(resourceIndicators(undefined)).toEqual([])
    expect(resourceIndicators('https://api.example.com/orders')).toEqual(['https://api.example.com/orders'])
    expect(resourceIndicators('https://a.example.com urn:example:b')).toEqual(['https://a.example.com', 'urn:example:b'])
  })

  it('refuses relative URIs and fragments with invalid_target', () => {
    expect(errorOf(() => resourceIndicators('/orders')).error).toBe('invalid_target')
    expect(errorOf(() => resourceIndicators('https://api.example.com/#x')).error).toBe('invalid_target')
  })
})

describe('exchanged scope', () => {
  it('narrows to what both the subject token and the client allow', () => {
    expect(exchangeScope(['read'], ['read', 'write'], ['read', 'write'], exactScopeMatch)).toEqual(['read'])
    expect(exchangeScope([], ['read', 'write', 'admin'], ['read', 'admin'], exactScopeMatch)).toEqual(['read', 'admin'])
    expect(exchangeScope([], ['orders.read', 'profile'], ['orders.*'], wildcardScopeMatch)).toEqual(['orders.read'])
  })

  it('refuses a wider scope than the subject token grants, or one the client may not have', () => {
    const wider = errorOf(() => exchangeScope(['read', 'write'], ['read'], ['read', 'write'], exactScopeMatch))
    expect(wider).toMatchObject({ error: 'invalid_scope' })
    expect(wider.hint).toContain('subject_token')
    const client = errorOf(() => exchangeScope(['write'], ['read', 'write'], ['read'], exactScopeMatch))
    expect(client).toMatchObject({ error: 'invalid_scope' })
    expect(client.hint).toContain('Client')
  })
})
