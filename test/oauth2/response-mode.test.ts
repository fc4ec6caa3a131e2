// Response modes and response types of the authorization endpoint: the spec's defaults, the
// refusals, and the grants each response type needs.
import { describe, expect, it } from 'vitest'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { validateAuthorizeRequest } from '../../src/oauth2/authorize.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import {
  RESPONSE_TYPES_SUPPORTED,
  checkResponseMode,
  checkResponseTypeGrants,
  defaultResponseMode,
} from '../../src/oauth2/response-mode.js'
import { exactScopeMatch } from '../../src/oauth2/scopes.js'
import { sampleClient } from '../support/fixtures.js'

const REDIRECT = 'https://app.example.com/cb'
const client = sampleClient({
  client_id: 'app',
  redirect_uris: [REDIRECT],
  scope: 'openid offline',
  grant_types: ['authorization_code', 'implicit'],
  response_types: RESPONSE_TYPES_SUPPORTED.map((t) => t.split(' ').reverse().join(' ')),
})

function errorOf(fn: () => void): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return e instanceof OAuthError ? e.error : 'not an OAuthError'
  }
}

async function validate(over: Record<string, string>, c = client) {
  const params = new AuthorizeParams(
    Object.entries({ client_id: 'app', scope: 'openid', redirect_uri: REDIRECT, state: 'state-12345', nonce: 'nonce-12345', ...over }),
  )
  return validateAuthorizeRequest(params, {
    getClient: async (id) => (id === c.client_id ? c : undefined),
    scopeMatcher: exactScopeMatch,
    pkce: { enforced: false, enforcedForPublicClients: false, allowPlain: false },
    allowInsecureRedirects: false,
  })
}

describe('response modes', () => {
  it('defaults to query for code and to fragment whenever a token comes back', () => {
    expect(defaultResponseMode(['code'])).toBe('query')
    for (const t of RESPONSE_TYPES_SUPPORTED.filter((t) => t !== 'code')) expect(defaultResponseMode(t.split(' '))).toBe('fragment')
  })

  it('refuses query for anything that returns a token, allows fragment and form_post', () => {
    expect(errorOf(() => checkResponseMode('query', ['code']))).toBeUndefined()
    for (const t of ['token', 'id_token', 'code id_token', 'code token', 'id_token token']) {
      expect(errorOf(() => checkResponseMode('query', t.split(' '))), t).toBe('invalid_request')
      expect(errorOf(() => checkResponseMode('fragment', t.split(' ')))).toBeUndefined()
      expect(errorOf(() => checkResponseMode('form_post', t.split(' ')))).toBeUndefined()
    }
  })

  it('needs the implicit grant for token and the implicit OpenID flow, authorization_code for hybrid', () => {
    const codeOnly = { grant_types: ['authorization_code'] }
    const implicitOnly = { grant_types: ['implicit'] }
    expect(errorOf(() => checkResponseTypeGrants(['token'], codeOnly))).toBe('unauthorized_client')
    expect(errorOf(() => checkResponseTypeGrants(['id_token'], codeOnly))).toBe('unauthorized_client')
    expect(errorOf(() => checkResponseTypeGrants(['code', 'token'], codeOnly))).toBe('unauthorized_client')
    expect(errorOf(() => checkResponseTypeGrants(['code', 'id_token'], codeOnly))).toBeUndefined()
    expect(errorOf(() => checkResponseTypeGrants(['code', 'id_token'], implicitOnly))).toBe('unauthorized_client')
    expect(errorOf(() => checkResponseTypeGrants(['id_token', 'token'], implicitOnly))).toBeUndefined()
    expect(errorOf(() => checkResponseTypeGrants(['code'], implicitOnly))).toBeUndefined()
    expect(errorOf(() => checkResponseTypeGrants(['device_code'], implicitOnly))).toBe('unsupported_response_type')
  })

  it('validates every supported response type, in any word order, with its default mode', async () => {
    for (const t of RESPONSE_TYPES_SUPPORTED) {
      const v = await validate({ response_type: t })
      expect(v.ok, t).toBe(true)
      if (v.ok) expect(v.request.responseMode).toBe(t === 'code' ? 'query' : 'fragment')
    }
    const v = await validate({ response_type: 'token code id_token', response_mode: 'form_post' })
    expect(v.ok && v.request.responseMode).toBe('form_post')
  })

  it('sends a refused query mode back in the fragment', async () => {
    const v = await validate({ response_type: 'id_token token', response_mode: 'query' })
    expect(v.ok).toBe(false)
    if (v.ok) return
    expect(v.error.error).toBe('invalid_request')
    expect(v.target?.responseMode).toBe('fragment')
  })

  it('sends errors of an implicit request in the fragment by default', async () => {
    const v = await validate({ response_type: 'id_token', nonce: '' })
    expect(v.ok).toBe(false)
    if (v.ok) return
    expect(v.error.hint).toContain('nonce')
    expect(v.target?.responseMode).toBe('fragment')
  })

  it('needs the openid scope for an ID token', async () => {
    const v = await validate({ response_type: 'id_token', scope: 'offline' })
    expect(!v.ok && v.error.error).toBe('invalid_request')
  })

  it('refuses a response type the client did not register', async () => {
    const v = await validate({ response_type: 'code id_token' }, sampleClient({ ...client, response_types: ['code'] }))
    expect(!v.ok && v.error.error).toBe('unsupported_response_type')
    expect(!v.ok && v.target?.responseMode).toBe('fragment')
  })
})
