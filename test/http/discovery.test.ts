import { allowInsecureRequests, discovery } from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PUBLIC_ENDPOINTS, discoveryDocument } from '../../src/oidc/discovery.js'
import { appendPath } from '../../src/url-path.js'
import { testConfig, testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { freePort } from '../support/socket-server.js'

const [sqlite] = testDatabases()

// Every property of Hydra's `oidcConfiguration` schema (openapi.json); nothing else may appear.
const HYDRA_FIELDS = new Set([
  'authorization_endpoint', 'backchannel_logout_session_supported', 'backchannel_logout_supported',
  'claims_parameter_supported', 'claims_supported', 'code_challenge_methods_supported',
  'credentials_endpoint_draft_00', 'credentials_supported_draft_00', 'device_authorization_endpoint',
  'end_session_endpoint', 'frontchannel_logout_session_supported', 'frontchannel_logout_supported',
  'grant_types_supported', 'id_token_signed_response_alg', 'id_token_signing_alg_values_supported', 'issuer',
  'jwks_uri', 'registration_endpoint', 'request_object_signing_alg_values_supported', 'request_parameter_supported',
  'request_uri_parameter_supported', 'require_request_uri_registration', 'response_modes_supported',
  'response_types_supported', 'revocation_endpoint', 'scopes_supported', 'subject_types_supported', 'token_endpoint',
  'token_endpoint_auth_methods_supported', 'userinfo_endpoint', 'userinfo_signed_response_alg',
  'userinfo_signing_alg_values_supported',
  // RFC 8414 fields Hydra's schema lacks but which the brief and RFC 8414 §2 ask for.
  'token_endpoint_auth_signing_alg_values_supported', 'revocation_endpoint_auth_methods_supported',
  // RFC 9207 §3: the authorization response carries `iss`.
  'authorization_response_iss_parameter_supported',
  // RFC 9449 §5.1: the algorithms a DPoP proof may use.
  'dpop_signing_alg_values_supported',
  // RFC 9126 §5: pushed authorization requests.
  'pushed_authorization_request_endpoint', 'require_pushed_authorization_requests',
])

describe('GET /.well-known/openid-configuration', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(sqlite!, { URLS_SELF_ISSUER: 'http://127.0.0.1:4444' })
  })
  afterAll(() => env.close())

  it('serves the document as JSON with the issuer exactly as configured', async () => {
    const res = await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const doc = res.json<Record<string, unknown>>()
    expect(doc['issuer']).toBe('http://127.0.0.1:4444')
    expect(doc).toMatchObject({
      token_endpoint: 'http://127.0.0.1:4444/oauth2/token',
      jwks_uri: 'http://127.0.0.1:4444/.well-known/jwks.json',
      revocation_endpoint: 'http://127.0.0.1:4444/oauth2/revoke',
      authorization_endpoint: 'http://127.0.0.1:4444/oauth2/auth',
      userinfo_endpoint: 'http://127.0.0.1:4444/userinfo',
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types_supported: ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token', 'token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      userinfo_signing_alg_values_supported: ['none', 'RS256'],
      subject_types_supported: ['public'],
      scopes_supported: ['offline_access', 'offline', 'openid'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'none'],
    })
    for (const key of Object.keys(doc)) expect(HYDRA_FIELDS, key).toContain(key)
  })

  it('advertises no endpoint that does not exist yet, and never the admin-only introspection', async () => {
    const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<Record<string, unknown>>()
    for (const key of ['registration_endpoint', 'introspection_endpoint']) {
      expect(doc, key).not.toHaveProperty(key)
    }
    expect(doc.device_authorization_endpoint).toBe('http://127.0.0.1:4444/oauth2/device/auth')
  })

  it('advertises only endpoints that answer on this listener', async () => {
    const doc = discoveryDocument(env.registry.config)
    for (const name of Object.keys(PUBLIC_ENDPOINTS) as Array<keyof typeof PUBLIC_ENDPOINTS>) {
      const url = new URL(doc[name]).pathname
      const res = await env.public.inject({ method: name === 'jwks_uri' ? 'GET' : 'POST', url })
      expect(res.statusCode, `${name} ${url}`).not.toBe(404)
    }
  })

  it('is not on the admin listener', async () => {
    const res = await env.admin.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
    expect(res.statusCode).toBe(404)
  })
})

describe('discoveryDocument', () => {
  it('builds endpoints under the public URL, keeping its base path, and takes subject types from config', () => {
    const config = testConfig('memory', {
      URLS_SELF_ISSUER: 'https://auth.example.com/',
      URLS_SELF_PUBLIC: 'https://edge.example.com/hydra/',
      OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise',
      OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'a-long-enough-salt',
    })
    const doc = discoveryDocument(config)
    expect(doc.issuer).toBe('https://auth.example.com/')
    expect(doc.token_endpoint).toBe('https://edge.example.com/hydra/oauth2/token')
    expect(doc.revocation_endpoint).toBe('https://edge.example.com/hydra/oauth2/revoke')
    expect(doc.subject_types_supported).toEqual(['public', 'pairwise'])
  })

  it('appends paths the way urlx.AppendPaths does', () => {
    expect(appendPath('http://127.0.0.1:4444/', '/oauth2/token')).toBe('http://127.0.0.1:4444/oauth2/token')
    expect(appendPath('https://a.example/base', '/oauth2/token')).toBe('https://a.example/base/oauth2/token')
    expect(appendPath('https://a.example/base//', '/x')).toBe('https://a.example/base/x')
  })
})

describe('openid-client discovery over a real socket', () => {
  let env: TestApps
  let issuer: string
  beforeAll(async () => {
    const port = await freePort()
    issuer = `http://127.0.0.1:${port}`
    env = await testApps(sqlite!, { URLS_SELF_ISSUER: issuer, SERVE_PUBLIC_PORT: String(port) })
    await env.public.listen({ host: '127.0.0.1', port })
  })
  afterAll(() => env.close())

  it('accepts the document and finds the token and revocation endpoints', async () => {
    const config = await discovery(new URL(issuer), 'some-client', 'some-secret', undefined, { execute: [allowInsecureRequests] })
    const metadata = config.serverMetadata()
    expect(metadata.issuer).toBe(issuer)
    expect(metadata.token_endpoint).toBe(`${issuer}/oauth2/token`)
    expect(metadata.revocation_endpoint).toBe(`${issuer}/oauth2/revoke`)
    expect(metadata.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`)
  })
})

describe('the ID token algorithm in discovery follows the signing key', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(sqlite!)
  })
  afterAll(() => env.close())

  it('advertises ES256 once an ES256 key signs ID tokens', async () => {
    const created = await env.admin.inject({ method: 'POST', url: '/admin/keys/hydra.openid.id-token', payload: { alg: 'ES256', use: 'sig' } })
    expect(created.statusCode, created.body).toBe(201)
    const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<Record<string, unknown>>()
    expect(doc).toMatchObject({ id_token_signing_alg_values_supported: ['ES256'], userinfo_signing_alg_values_supported: ['none', 'ES256'] })
  })
})

describe('webfinger.oidc_discovery and webfinger.jwks', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(sqlite!, {
      URLS_SELF_ISSUER: 'http://127.0.0.1:4444/',
      WEBFINGER_OIDC_DISCOVERY_AUTH_URL: 'https://gateway.example.com/hydra/oauth2/auth',
      WEBFINGER_OIDC_DISCOVERY_TOKEN_URL: 'https://gateway.example.com/hydra/oauth2/token',
      WEBFINGER_OIDC_DISCOVERY_JWKS_URL: 'https://cdn.example.com/jwks.json',
      WEBFINGER_OIDC_DISCOVERY_USERINFO_URL: 'https://profile.example.com/userinfo',
      // A path resolves against urls.self.public.
      WEBFINGER_OIDC_DISCOVERY_DEVICE_AUTHORIZATION_URL: '/edge/device/auth',
      WEBFINGER_OIDC_DISCOVERY_CLIENT_REGISTRATION_URL: 'https://gateway.example.com/register',
      WEBFINGER_OIDC_DISCOVERY_SUPPORTED_CLAIMS: 'email,sub,name',
      WEBFINGER_OIDC_DISCOVERY_SUPPORTED_SCOPE: 'email,openid,read.photos',
      WEBFINGER_JWKS_BROADCAST_KEYS: 'extra.set',
    })
  })
  afterAll(() => env.close())

  it('advertise the configured endpoints, claims and scopes instead of our own', async () => {
    const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<Record<string, unknown>>()
    expect(doc).toMatchObject({
      authorization_endpoint: 'https://gateway.example.com/hydra/oauth2/auth',
      token_endpoint: 'https://gateway.example.com/hydra/oauth2/token',
      jwks_uri: 'https://cdn.example.com/jwks.json',
      userinfo_endpoint: 'https://profile.example.com/userinfo',
      device_authorization_endpoint: 'http://127.0.0.1:4444/edge/device/auth',
      registration_endpoint: 'https://gateway.example.com/register',
      // Hydra always includes sub, and offline_access, offline and openid.
      claims_supported: ['sub', 'email', 'name'],
      scopes_supported: ['offline_access', 'offline', 'openid', 'email', 'read.photos'],
      // Untouched: what webfinger has no key for.
      revocation_endpoint: 'http://127.0.0.1:4444/oauth2/revoke',
      end_session_endpoint: 'http://127.0.0.1:4444/oauth2/sessions/logout',
    })
  })

  it('publish the broadcast sets at /.well-known/jwks.json besides the ID and access token sets', async () => {
    const kids = async () => (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Array<{ kid: string }> }>().keys.map((k) => k.kid)
    expect(await kids()).toHaveLength(2)
    const created = await env.admin.inject({ method: 'POST', url: '/admin/keys/extra.set', payload: { alg: 'ES256', use: 'sig', kid: 'broadcast-me' } })
    expect(created.statusCode).toBe(201)
    await env.admin.inject({ method: 'POST', url: '/admin/keys/not.broadcast', payload: { alg: 'ES256', use: 'sig', kid: 'keep-me-private' } })
    env.registry.keys.invalidate()
    const published = await kids()
    expect(published).toHaveLength(3)
    expect(published[0]).toBe('broadcast-me')
    expect(published).not.toContain('keep-me-private')
  })
})
