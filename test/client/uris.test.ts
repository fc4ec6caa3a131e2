import { describe, expect, it } from 'vitest'
import { validateClientMetadata } from '../../src/client/validate.js'
import type { ValidationContext } from '../../src/client/validate.js'
import { OAuthError } from '../../src/oauth2/errors.js'

const base: ValidationContext = { dev: false, mode: 'admin', subjectTypes: ['public'] }
const ok = (body: Record<string, unknown>, dev = false) => validateClientMetadata(body, { ...base, dev })

function fails(body: Record<string, unknown>, hint: RegExp, error = 'invalid_client_metadata', dev = false) {
  let caught: unknown
  try {
    ok(body, dev)
  } catch (e) {
    caught = e
  }
  expect(caught, `expected ${JSON.stringify(body)} to be rejected`).toBeInstanceOf(OAuthError)
  expect((caught as OAuthError).error).toBe(error)
  expect((caught as OAuthError).hint).toMatch(hint)
}

const quoted = (uri: string) => new RegExp(JSON.stringify(uri).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))

describe('redirect_uris', () => {
  it.each([
    'https://app.example/cb?x=1',
    'http://127.0.0.1:8080/cb',
    'http://[::1]/cb',
    'http://localhost:3000/cb',
    'com.example.app:/oauth2redirect',
    'myapp://callback',
  ])('accepts %s and keeps it verbatim', (uri) => {
    expect(ok({ redirect_uris: [uri] }).redirect_uris).toEqual([uri])
  })

  it.each([
    ['/cb', /not an absolute URI/],
    ['app.example/cb', /not an absolute URI/],
    [' https://app.example/cb', /not an absolute URI/],
    ['https://app.example/c b', /not an absolute URI/],
    ['https://app.example/cb#frag', /fragment/],
    ['https://app.example/cb#', /fragment/],
    ['javascript:alert(1)', /scheme javascript: is not allowed/],
    ['data:text/html,hi', /scheme data: is not allowed/],
    ['vbscript:msgbox', /scheme vbscript: is not allowed/],
    ['file:///etc/passwd', /scheme file: is not allowed/],
    ['JavaScript:alert(1)', /scheme javascript: is not allowed/],
    ['https:app.example/cb', /https:\/\/host/],
    ['http://app.example/cb', /must use https/],
    ['http://127.0.0.2/cb', /must use https/],
  ])('rejects %s with invalid_redirect_uri, naming it', (uri, hint) => {
    fails({ redirect_uris: ['https://ok.example/cb', uri] }, hint, 'invalid_redirect_uri')
    fails({ redirect_uris: [uri] }, quoted(uri), 'invalid_redirect_uri')
  })

  it('allows plain http for any host in dev mode', () => {
    expect(ok({ redirect_uris: ['http://app.example/cb'] }, true).redirect_uris).toEqual(['http://app.example/cb'])
  })
})

describe('post_logout_redirect_uris', () => {
  const redirect_uris = ['https://app.example/cb', 'http://localhost:3000/cb']

  it('accepts URIs on the scheme, host and port of a redirect URI', () => {
    const uris = ['https://app.example/bye', 'http://localhost:3000/']
    expect(ok({ redirect_uris, post_logout_redirect_uris: uris }).post_logout_redirect_uris).toEqual(uris)
  })

  it('rejects URIs on another host, port or scheme', () => {
    for (const uri of ['https://evil.example/bye', 'https://app.example:8443/bye', 'http://localhost:4000/']) {
      fails({ redirect_uris, post_logout_redirect_uris: [uri] }, /must match the scheme, host and port/)
    }
  })

  it('applies the redirect URI rules', () => {
    fails({ redirect_uris, post_logout_redirect_uris: ['https://app.example/bye#x'] }, /post_logout_redirect_uris.*fragment/)
    fails({ redirect_uris: ['http://app.example/cb'], post_logout_redirect_uris: ['http://app.example/bye'] },
      /must use https/, 'invalid_redirect_uri')
    fails({ redirect_uris, post_logout_redirect_uris: ['javascript:alert(1)'] }, /javascript: is not allowed/)
  })
})

describe('request_uris', () => {
  it('must be https outside dev, even on loopback; fragments are allowed (OIDC Core §6.2)', () => {
    expect(ok({ request_uris: ['https://app.example/r#hash'] }).request_uris).toEqual(['https://app.example/r#hash'])
    fails({ request_uris: ['http://localhost/r'] }, /request_uris.*must use https/)
    expect(ok({ request_uris: ['http://app.example/r'] }, true).request_uris).toEqual(['http://app.example/r'])
    fails({ request_uris: ['urn:x:y'] }, /request_uris.*http\(s\)/)
  })
})

describe.each([
  'jwks_uri', 'sector_identifier_uri', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri',
  'frontchannel_logout_uri', 'backchannel_logout_uri',
])('%s', (field) => {
  it('accepts https, loopback http, and empty', () => {
    for (const uri of ['https://app.example/x', 'http://localhost:8080/x', '']) {
      expect(ok({ [field]: uri })[field as 'client_uri']).toBe(uri)
    }
  })

  it('accepts any http host in dev mode', () => {
    expect(ok({ [field]: 'http://app.example/x' }, true)[field as 'client_uri']).toBe('http://app.example/x')
  })

  it('rejects non-http(s), relative, scripting and plain-http URLs', () => {
    fails({ [field]: 'ftp://app.example/x' }, new RegExp(`${field}.*http\\(s\\)`))
    fails({ [field]: '/x' }, new RegExp(`${field}.*not an absolute URI`))
    fails({ [field]: 'javascript:alert(1)' }, /javascript: is not allowed/)
    fails({ [field]: 'data:text/plain,x' }, /data: is not allowed/)
    fails({ [field]: 'http://app.example/x' }, new RegExp(`${field}.*must use https`))
  })
})

describe('allowed_cors_origins', () => {
  it('accepts scheme://host[:port] and serialises it as an origin', () => {
    const m = ok({ allowed_cors_origins: ['https://app.example', 'http://localhost:3000', 'https://app.example/', 'HTTPS://App.Example:443'] })
    expect(m.allowed_cors_origins).toEqual(['https://app.example', 'http://localhost:3000', 'https://app.example', 'https://app.example'])
  })

  it.each([
    ['https://app.example/path', /path, query or fragment/],
    ['https://app.example/./', /path, query or fragment/],
    ['https://app.example?x=1', /path, query or fragment/],
    ['https://app.example#x', /path, query or fragment/],
    ['https://user:pw@app.example', /user or password/],
    ['*', /wildcards/],
    ['https://*.app.example', /wildcards/],
    ['ftp://app.example', /http or https/],
    ['app.example', /not an absolute URI/],
  ])('rejects %s', (origin, hint) => {
    fails({ allowed_cors_origins: [origin] }, hint)
    fails({ allowed_cors_origins: [origin] }, quoted(origin))
  })
})
