// validateAuthorizeRequest: each parameter's error, and whether it may be sent to the client.
import { describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/model.js'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { validateAuthorizeRequest, type AuthorizeValidationDeps } from '../../src/oauth2/authorize.js'
import { exactScopeMatch, wildcardScopeMatch } from '../../src/oauth2/scopes.js'
import { sampleClient } from '../support/fixtures.js'

const REDIRECT = 'https://app.example.com/cb'

function deps(client: Client, over: Partial<AuthorizeValidationDeps> = {}): AuthorizeValidationDeps {
  return {
    getClient: async (id) => (id === client.client_id ? client : undefined),
    scopeMatcher: exactScopeMatch,
    pkce: { enforced: false, enforcedForPublicClients: false, allowPlain: false },
    allowInsecureRedirects: false,
    ...over,
  }
}

const client = sampleClient({
  client_id: 'app',
  redirect_uris: [REDIRECT, 'http://127.0.0.1/native', 'com.example.app:/cb'],
  scope: 'openid offline profile',
  audience: ['https://api.example.com'],
  response_types: ['code', 'code id_token', 'token'],
})

function params(over: Record<string, string | null> = {}): AuthorizeParams {
  const base: Record<string, string | null> = {
    client_id: 'app',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT,
    state: 'state-12345',
    ...over,
  }
  return new AuthorizeParams(Object.entries(base).filter((e): e is [string, string] => e[1] !== null))
}

async function validate(over: Record<string, string | null> = {}, c = client, d: Partial<AuthorizeValidationDeps> = {}) {
  return validateAuthorizeRequest(params(over), deps(c, d))
}

/** The error and whether it may go to the client. */
async function outcome(over: Record<string, string | null>, c = client, d: Partial<AuthorizeValidationDeps> = {}) {
  const v = await validate(over, c, d)
  if (v.ok) return { ok: true as const }
  return { error: v.error.error, toClient: v.target !== undefined, hint: v.error.hint ?? '' }
}

describe('validateAuthorizeRequest', () => {
  it('accepts a well-formed request and keeps what later steps need', async () => {
    const v = await validate({ scope: 'openid profile', nonce: 'n', prompt: 'consent login', max_age: '60', ui_locales: 'de en', audience: 'https://api.example.com' })
    expect(v.ok).toBe(true)
    if (!v.ok) return
    expect(v.request).toMatchObject({
      clientId: 'app',
      responseTypes: ['code'],
      responseMode: 'query',
      redirectUri: REDIRECT,
      redirectUriParam: REDIRECT,
      scope: ['openid', 'profile'],
      audience: ['https://api.example.com'],
      prompt: ['consent', 'login'],
      maxAge: 60,
      uiLocales: ['de', 'en'],
      codeChallengeMethod: '',
    })
  })

  it('shows client and redirect problems on the error page only', async () => {
    expect(await outcome({ client_id: null })).toMatchObject({ error: 'invalid_client', toClient: false })
    expect(await outcome({ client_id: 'nobody' })).toMatchObject({ error: 'invalid_client', toClient: false })
    expect(await outcome({ redirect_uri: 'https://evil.example/cb' })).toMatchObject({ error: 'invalid_request', toClient: false })
    expect(await outcome({ redirect_uri: `${REDIRECT}#x` })).toMatchObject({ error: 'invalid_request', toClient: false })
    // OpenID Connect requires redirect_uri even when only one is registered.
    expect(await outcome({ redirect_uri: null })).toMatchObject({ error: 'invalid_request', toClient: false })
    expect(await outcome({ response_mode: 'jwt' })).toMatchObject({ error: 'unsupported_response_mode', toClient: false })
    const twice = new AuthorizeParams([...params().pairs(), ['redirect_uri', REDIRECT]])
    const v = await validateAuthorizeRequest(twice, deps(client))
    expect(v.ok ? undefined : [v.error.error, v.target]).toEqual(['invalid_request', undefined])
  })

  it('uses the only registered redirect URI when none is sent outside OpenID Connect', async () => {
    const single = sampleClient({ client_id: 'app', redirect_uris: [REDIRECT], scope: 'offline' })
    const v = await validate({ redirect_uri: null, scope: 'offline' }, single)
    expect(v.ok && [v.request.redirectUri, v.request.redirectUriParam]).toEqual([REDIRECT, ''])
    expect(await outcome({ redirect_uri: null, scope: 'offline' })).toMatchObject({ error: 'invalid_request', toClient: false })
  })

  it('sends every other problem to the client', async () => {
    const cases: Array<[Record<string, string | null>, string]> = [
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ audience: 'https://other.example.com' }, 'invalid_request'],
      [{ registration: '{}' }, 'registration_not_supported'],
      [{ response_type: null }, 'unsupported_response_type'],
      [{ response_type: 'id_token' }, 'unsupported_response_type'],
      [{ response_type: 'token' }, 'unauthorized_client'],
      [{ response_type: 'code id_token' }, 'invalid_request'],
      [{ response_type: 'code id_token', nonce: 'short' }, 'insufficient_entropy'],
      [{ state: null }, 'invalid_state'],
      [{ state: '1234567' }, 'invalid_state'],
      [{ prompt: 'none consent' }, 'invalid_request'],
      [{ prompt: 'sometimes' }, 'invalid_request'],
      [{ max_age: 'soon' }, 'invalid_request'],
      [{ claims: 'not json' }, 'invalid_request'],
      [{ code_challenge_method: 'S256' }, 'invalid_request'],
      [{ code_challenge: 'a'.repeat(43), code_challenge_method: 'S512' }, 'invalid_request'],
    ]
    for (const [over, error] of cases) {
      expect(await outcome(over), JSON.stringify(over)).toMatchObject({ error, toClient: true })
    }
    const twice = new AuthorizeParams([...params().pairs(), ['scope', 'profile']])
    const v = await validateAuthorizeRequest(twice, deps(client))
    expect(v.ok ? undefined : [v.error.error, v.target?.redirectUri]).toEqual(['invalid_request', REDIRECT])
  })

  it('accepts several audiences, repeated or space-separated', async () => {
    const c = sampleClient({ client_id: 'app', redirect_uris: [REDIRECT], audience: ['a', 'b'] })
    const repeated = new AuthorizeParams([...params().pairs(), ['audience', 'a'], ['audience', 'b']])
    const v = await validateAuthorizeRequest(repeated, deps(c))
    expect(v.ok && v.request.audience).toEqual(['a', 'b'])
    const spaced = await validate({ audience: 'b a' }, c)
    expect(spaced.ok && spaced.request.audience).toEqual(['b', 'a'])
  })

  it('follows the configured scope strategy', async () => {
    const c = sampleClient({ client_id: 'app', redirect_uris: [REDIRECT], scope: 'photos.*' })
    expect(await outcome({ scope: 'photos.read' }, c)).toMatchObject({ error: 'invalid_scope' })
    expect(await outcome({ scope: 'photos.read' }, c, { scopeMatcher: wildcardScopeMatch })).toEqual({ ok: true })
  })

  it('delivers to the fragment or a form post when response_mode says so', async () => {
    const v = await validateAuthorizeRequest(params({ response_mode: 'fragment', state: 'x' }), deps(client))
    expect(v.ok ? undefined : v.target?.responseMode).toBe('fragment')
    const post = await validate({ response_mode: 'form_post' })
    expect(post.ok && post.request.responseMode).toBe('form_post')
  })

  it('refuses insecure redirect URIs outside dev mode, and silent authorization of public clients without one', async () => {
    const c = sampleClient({ client_id: 'app', redirect_uris: ['http://app.example.com/cb'], token_endpoint_auth_method: 'none' })
    expect(await outcome({ redirect_uri: 'http://app.example.com/cb' }, c)).toMatchObject({ error: 'invalid_request', toClient: true })
    expect(await outcome({ redirect_uri: 'http://app.example.com/cb' }, c, { allowInsecureRedirects: true })).toEqual({ ok: true })
    expect(await outcome({ redirect_uri: 'http://app.example.com/cb', prompt: 'none' }, c, { allowInsecureRedirects: true })).toMatchObject({
      error: 'consent_required',
    })
  })

  it('enforces PKCE as configured', async () => {
    const pub = sampleClient({ ...client, token_endpoint_auth_method: 'none' })
    const forPublic = { pkce: { enforced: false, enforcedForPublicClients: true, allowPlain: false } }
    expect(await outcome({}, pub, forPublic)).toMatchObject({ error: 'invalid_request', hint: expect.stringContaining('code_challenge') })
    expect(await outcome({}, client, forPublic)).toEqual({ ok: true })
    expect(await outcome({}, client, { pkce: { enforced: true, enforcedForPublicClients: false, allowPlain: false } })).toMatchObject({
      error: 'invalid_request',
    })
    const v = await validate({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }, pub, forPublic)
    expect(v.ok && [v.request.codeChallenge, v.request.codeChallengeMethod]).toEqual(['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256'])
  })

  it('accepts a native loopback redirect on any port', async () => {
    const v = await validate({ redirect_uri: 'http://127.0.0.1:53122/native' })
    expect(v.ok && v.request.redirectUri).toBe('http://127.0.0.1:53122/native')
    expect(await outcome({ redirect_uri: 'http://localhost:53122/native' })).toMatchObject({ toClient: false })
  })
})
