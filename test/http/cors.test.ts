// CORS on both listeners (serve.*.cors) and per-client allowed_cors_origins on the public
// endpoints that honour them, in-process, on every configured database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { originMatcher } from '../../src/http/cors.js'
import { loadConfig } from '../../src/config/loader.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow } from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

const testConfigWarnings = (env: Record<string, string>): string[] =>
  loadConfig({ env: { DSN: 'memory', URLS_SELF_ISSUER: 'https://auth.example.com/', SECRETS_SYSTEM: 'system-secret-0123456789', ...env } }).warnings

const CORS_ENV = {
  SERVE_PUBLIC_CORS_ENABLED: 'true',
  SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: 'https://app.example.com,https://*.example.org',
  SERVE_PUBLIC_CORS_MAX_AGE: '600',
  SERVE_ADMIN_CORS_ENABLED: 'true',
  SERVE_ADMIN_CORS_ALLOWED_ORIGINS: '*',
  SERVE_ADMIN_CORS_ALLOW_CREDENTIALS: 'false',
}

describe('origin patterns', () => {
  it('matches exact origins, one-label wildcards, scheme wildcards and *', () => {
    expect(originMatcher('https://app.example.com')('https://app.example.com')).toBe(true)
    expect(originMatcher('https://app.example.com')('https://app.example.com:8443')).toBe(false)
    const sub = originMatcher('https://*.example.org')
    expect(sub('https://a.example.org')).toBe(true)
    expect(sub('https://a.b.example.org')).toBe(false)
    expect(sub('http://a.example.org')).toBe(false)
    expect(sub('https://example.org')).toBe(false)
    expect(sub('https://evil.example.org.attacker.net')).toBe(false)
    // A scheme wildcard is not bounded at a registrable domain: only the legacy flag lets it match.
    expect(originMatcher('https://*', true)('https://anything.test:1')).toBe(true)
    expect(originMatcher('https://*', true)('http://anything.test')).toBe(false)
    expect(originMatcher('*')('null')).toBe(true)
  })

  it('refuses wildcards not bounded at a registrable domain unless feature_flags.legacy_allow_insecure_origins is set', () => {
    for (const [pattern, origin] of [
      ['https://*', 'https://anything.test'],
      ['https://*foo.com', 'https://evilfoo.com'],
      ['https://*.com', 'https://attacker.com'],
      ['https://*.co.uk', 'https://attacker.co.uk'],
      ['https://*.vercel.app', 'https://attacker.vercel.app'],
      ['https://www.example.*', 'https://www.example.evil'],
    ] as const) {
      expect(originMatcher(pattern)(origin), pattern).toBe(false)
      expect(originMatcher(pattern, true)(origin), pattern).toBe(true)
    }
    expect(originMatcher('https://*.example.co.uk')('https://app.example.co.uk')).toBe(true)
    expect(originMatcher('https://*.example.com:8443')('https://a.example.com:8443')).toBe(true)
  })
})

describe('feature_flags.legacy_allow_insecure_origins at the listener', () => {
  const preflight = (env: TestApps, origin: string) =>
    env.public.inject({
      method: 'OPTIONS',
      url: '/.well-known/jwks.json',
      headers: { origin, 'access-control-request-method': 'GET' },
    })

  it('turns the old matching of unbounded wildcards back on, and a start-up warning names them otherwise', async () => {
    const env = { SERVE_PUBLIC_CORS_ENABLED: 'true', SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: 'https://*foo.com,https://*.example.org' }
    expect(testConfigWarnings(env)).toEqual([expect.stringMatching(/^serve\.public\.cors\.allowed_origins: https:\/\/\*foo\.com is a wildcard not bounded at a registrable domain/)])
    const strict = await testApps(testDatabases()[0]!, env)
    const legacy = await testApps(testDatabases()[0]!, { ...env, FEATURE_FLAGS_LEGACY_ALLOW_INSECURE_ORIGINS: 'true' })
    try {
      expect((await preflight(strict, 'https://evilfoo.com')).headers['access-control-allow-origin']).toBeUndefined()
      expect((await preflight(strict, 'https://a.example.org')).headers['access-control-allow-origin']).toBe('https://a.example.org')
      expect((await preflight(legacy, 'https://evilfoo.com')).headers['access-control-allow-origin']).toBe('https://evilfoo.com')
    } finally {
      await strict.close()
      await legacy.close()
    }
  })
})

for (const t of testDatabases()) {
  describe(`CORS on ${t.name}`, () => {
    let env: TestApps
    let plain: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, ...CORS_ENV })
      plain = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => {
      await env.close()
      await plain.close()
    })

    it('allows a listed origin on an actual request and says Vary: Origin', async () => {
      const res = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://app.example.com' } })
      expect(res.statusCode).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com')
      expect(res.headers['access-control-allow-credentials']).toBe('true')
      expect(String(res.headers['access-control-expose-headers'])).toContain('Content-Type')
      expect(String(res.headers.vary)).toMatch(/\bOrigin\b/)
    })

    it('allows a one-label wildcard subdomain, not a deeper one', async () => {
      const ok = await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json', headers: { origin: 'https://spa.example.org' } })
      expect(ok.headers['access-control-allow-origin']).toBe('https://spa.example.org')
      const deep = await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json', headers: { origin: 'https://a.spa.example.org' } })
      expect(deep.statusCode).toBe(200)
      expect(deep.headers['access-control-allow-origin']).toBeUndefined()
    })

    it('gives a disallowed origin no CORS headers, but the same answer', async () => {
      const res = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://evil.example.net' } })
      expect(res.statusCode).toBe(200)
      for (const h of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers']) expect(res.headers[h]).toBeUndefined()
      expect(String(res.headers.vary)).toMatch(/\bOrigin\b/)
    })

    it('answers a preflight with 204 and the allowed method, headers and max age', async () => {
      const res = await env.public.inject({
        method: 'OPTIONS',
        url: '/.well-known/openid-configuration',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, content-type' },
      })
      expect(res.statusCode).toBe(204)
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com')
      expect(res.headers['access-control-allow-methods']).toBe('GET')
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toBe('authorization, content-type')
      expect(res.headers['access-control-allow-credentials']).toBe('true')
      expect(res.headers['access-control-max-age']).toBe('600')
      expect(String(res.headers.vary)).toMatch(/\bOrigin\b/)
    })

    it('refuses a preflight for a disallowed origin, method or header (204 without CORS headers)', async () => {
      const cases = [
        { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' },
        { origin: 'https://app.example.com', 'access-control-request-method': 'TRACE' },
        { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-not-allowed' },
      ]
      for (const headers of cases) {
        const res = await env.public.inject({ method: 'OPTIONS', url: '/.well-known/jwks.json', headers })
        expect(res.statusCode).toBe(204)
        expect(res.headers['access-control-allow-origin'], JSON.stringify(headers)).toBeUndefined()
      }
    })

    it('never exposes the authorization endpoint cross-origin', async () => {
      const pre = await env.public.inject({
        method: 'OPTIONS',
        url: '/oauth2/auth',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      })
      expect(pre.headers['access-control-allow-origin']).toBeUndefined()
      const res = await env.public.inject({ method: 'GET', url: '/oauth2/auth?client_id=nobody', headers: { origin: 'https://app.example.com' } })
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    })

    it('applies the admin listener\'s own settings (any origin, no credentials)', async () => {
      const res = await env.admin.inject({ method: 'GET', url: '/admin/clients', headers: { origin: 'https://tool.internal.test' } })
      expect(res.statusCode).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBe('https://tool.internal.test')
      expect(res.headers['access-control-allow-credentials']).toBeUndefined()
      const pre = await env.admin.inject({
        method: 'OPTIONS',
        url: '/admin/clients/abc',
        headers: { origin: 'https://tool.internal.test', 'access-control-request-method': 'DELETE' },
      })
      expect(pre.statusCode).toBe(204)
      expect(pre.headers['access-control-allow-methods']).toBe('DELETE')
    })

    it('allows a client\'s allowed_cors_origins on /oauth2/token (Basic or form client_id), for that client only', async () => {
      const spa = 'https://spa.client.test'
      const client = await createClient(env, { grant_types: ['client_credentials'], response_types: [], allowed_cors_origins: [spa] })
      const other = await createClient(env, { grant_types: ['client_credentials'], response_types: [] })

      const viaBasic = await tokenCall(env, { grant_type: 'client_credentials' }, { ...basic(client), origin: spa })
      expect(viaBasic.statusCode, viaBasic.body).toBe(200)
      expect(viaBasic.headers['access-control-allow-origin']).toBe(spa)

      const viaForm = await tokenCall(env, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret ?? '' }, { origin: spa })
      expect(viaForm.headers['access-control-allow-origin']).toBe(spa)

      // A failed request from the client's origin still carries the header, so the app can read the error.
      const wrongSecret = await tokenCall(env, { grant_type: 'client_credentials' }, { ...basic({ ...client, client_secret: 'wrong' }), origin: spa })
      expect(wrongSecret.statusCode).toBe(401)
      expect(wrongSecret.headers['access-control-allow-origin']).toBe(spa)

      const otherClient = await tokenCall(env, { grant_type: 'client_credentials' }, { ...basic(other), origin: spa })
      expect(otherClient.statusCode).toBe(200)
      expect(otherClient.headers['access-control-allow-origin']).toBeUndefined()

      // Not on endpoints that do not look at clients.
      const discovery = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: spa } })
      expect(discovery.headers['access-control-allow-origin']).toBeUndefined()

      // A preflight carries no credentials: answered as allowed on the client-aware endpoints.
      const pre = await env.public.inject({
        method: 'OPTIONS',
        url: '/oauth2/token',
        headers: { origin: spa, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      })
      expect(pre.statusCode).toBe(204)
      expect(pre.headers['access-control-allow-origin']).toBe(spa)
    })

    it('identifies the client of /userinfo by its access token', async () => {
      const spa = 'https://userinfo-spa.client.test'
      const client = await createClient(env, { allowed_cors_origins: [spa] })
      const q = await fullFlow(env, new CookieJar(), client.client_id, {
        extra: { scope: 'openid' },
        login: { subject: 'alice' },
        consent: { grant_scope: ['openid'] },
      })
      const tokens = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '' }, basic(client))
      expect(tokens.statusCode, tokens.body).toBe(200)
      const accessToken = tokens.json<{ access_token: string }>().access_token

      const res = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}`, origin: spa } })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBe(spa)

      const stranger = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}`, origin: 'https://stranger.test' } })
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined()
      const badToken = await env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer ory_at_nope.nope', origin: spa } })
      expect(badToken.statusCode).toBe(401)
      expect(badToken.headers['access-control-allow-origin']).toBeUndefined()
    })

    it('is off by default: no CORS headers, not even for a client\'s own origin, and OPTIONS is not answered', async () => {
      const spa = 'https://spa.client.test'
      const client = await createClient(plain, { grant_types: ['client_credentials'], response_types: [], allowed_cors_origins: [spa] })
      const res = await tokenCall(plain, { grant_type: 'client_credentials' }, { ...basic(client), origin: spa })
      expect(res.statusCode).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect(res.headers.vary).toBeUndefined()
      const discovery = await plain.public.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://app.example.com' } })
      expect(discovery.headers['access-control-allow-origin']).toBeUndefined()
      const pre = await plain.public.inject({ method: 'OPTIONS', url: '/oauth2/token', headers: { origin: spa, 'access-control-request-method': 'POST' } })
      expect(pre.statusCode).toBe(404)
      expect(pre.headers['access-control-allow-origin']).toBeUndefined()
      const admin = await plain.admin.inject({ method: 'GET', url: '/admin/clients', headers: { origin: 'https://tool.internal.test' } })
      expect(admin.headers['access-control-allow-origin']).toBeUndefined()
    })
  })
}

for (const t of testDatabases()) {
  describe(`CORS with serve.*.cors.options_passthrough on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, {
        ...FLOW_ENV,
        SERVE_PUBLIC_CORS_ENABLED: 'true',
        SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: 'https://app.example.com',
        SERVE_PUBLIC_CORS_OPTIONS_PASSTHROUGH: 'true',
        SERVE_ADMIN_CORS_ENABLED: 'true',
        SERVE_ADMIN_CORS_OPTIONS_PASSTHROUGH: 'true',
      })
    })
    afterAll(async () => env.close())

    it('hands the preflight on to the router, which answers a routed path with 200 and Allow', async () => {
      const pre = await env.public.inject({
        method: 'OPTIONS',
        url: '/oauth2/token',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      })
      expect(pre.statusCode).toBe(200)
      expect(pre.headers.allow).toBe('POST, OPTIONS')
      expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com')
      expect(pre.headers['access-control-allow-methods']).toBe('POST')
      expect(pre.headers['access-control-expose-headers']).toBeUndefined()

      const admin = await env.admin.inject({
        method: 'OPTIONS',
        url: '/admin/clients/some-id',
        headers: { origin: 'https://tool.internal.test', 'access-control-request-method': 'DELETE' },
      })
      expect(admin.statusCode).toBe(200)
      expect(String(admin.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT'])
      expect(admin.headers['access-control-allow-methods']).toBe('DELETE')
    })

    it('leaves an unknown path to the router\'s 404, and a refused origin without CORS headers', async () => {
      const unknown = await env.public.inject({
        method: 'OPTIONS',
        url: '/no/such/path',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      })
      expect(unknown.statusCode).toBe(404)
      const refused = await env.public.inject({
        method: 'OPTIONS',
        url: '/.well-known/jwks.json',
        headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' },
      })
      expect(refused.statusCode).toBe(200)
      expect(refused.headers.allow).toBe('GET, OPTIONS')
      expect(refused.headers['access-control-allow-origin']).toBeUndefined()
    })
  })
}
