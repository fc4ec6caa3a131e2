import { describe, expect, it } from 'vitest'
import { presentClient, toMetadata } from '../../src/client/present.js'
import { validateClientMetadata } from '../../src/client/validate.js'
import { LIFESPAN_FIELDS, emptyLifespans } from '../../src/client/model.js'
import type { Client } from '../../src/client/model.js'

const client = (over: Partial<Client> = {}): Client => ({
  client_id: 'c1',
  client_name: 'App',
  redirect_uris: ['https://app.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid offline',
  audience: ['https://api.example'],
  owner: 'team',
  policy_uri: 'https://app.example/policy',
  tos_uri: 'https://app.example/tos',
  client_uri: 'https://app.example',
  logo_uri: 'https://app.example/logo.png',
  contacts: ['ops@app.example'],
  client_secret_expires_at: 0,
  subject_type: 'public',
  sector_identifier_uri: '',
  jwks: null,
  jwks_uri: '',
  request_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  token_endpoint_auth_signing_alg: '',
  request_object_signing_alg: '',
  userinfo_signed_response_alg: 'none',
  allowed_cors_origins: ['https://app.example'],
  frontchannel_logout_uri: 'https://app.example/fc',
  frontchannel_logout_session_required: true,
  post_logout_redirect_uris: ['https://app.example/bye'],
  backchannel_logout_uri: '',
  backchannel_logout_session_required: false,
  require_pushed_authorization_requests: false,
  metadata: null,
  skip_consent: false,
  skip_logout_consent: false,
  access_token_strategy: '',
  lifespans: emptyLifespans(),
  pk: 'pk-uuid',
  nid: 'nid-uuid',
  secret_hash: '$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA',
  rotated_secret_hashes: ['$pbkdf2-sha256$i=1000,l=32$b2xkc2FsdA$b2xkaGFzaA'],
  registration_access_token_hash: 'registration-hash',
  created_at: new Date('2024-05-01T10:00:00Z'),
  updated_at: new Date('2024-05-02T11:30:00.250Z'),
  ...over,
})

const full = client({
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'ES256',
  metadata: { tier: 'gold' },
  access_token_strategy: 'jwt',
})

describe('presentClient', () => {
  it('lists the fields in Hydra order', () => {
    expect(Object.keys(presentClient(full, { secret: 's' }))).toEqual([
      'client_id', 'client_name', 'client_secret', 'redirect_uris', 'grant_types', 'response_types', 'scope',
      'audience', 'owner', 'policy_uri', 'allowed_cors_origins', 'tos_uri', 'client_uri', 'logo_uri', 'contacts',
      'client_secret_expires_at', 'subject_type', 'sector_identifier_uri', 'jwks', 'request_uris',
      'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'request_object_signing_alg',
      'userinfo_signed_response_alg', 'created_at', 'updated_at', 'metadata', 'frontchannel_logout_uri',
      'frontchannel_logout_session_required', 'post_logout_redirect_uris', 'backchannel_logout_uri',
      'backchannel_logout_session_required', 'skip_consent', 'skip_logout_consent', 'access_token_strategy',
      ...LIFESPAN_FIELDS,
    ])
  })

  it('shows the secret only when one is given', () => {
    expect(presentClient(full, { secret: 'plain-secret' }).client_secret).toBe('plain-secret')
    expect(presentClient(full)).not.toHaveProperty('client_secret')
  })

  it('never shows storage internals', () => {
    const text = JSON.stringify(presentClient(full, { secret: 's' }))
    for (const key of ['pk', 'nid', 'secret_hash', 'rotated_secret_hashes', 'registration_access_token_hash']) {
      expect(presentClient(full)).not.toHaveProperty(key)
    }
    for (const value of ['pk-uuid', 'nid-uuid', 'registration-hash', '$pbkdf2']) expect(text).not.toContain(value)
  })

  it('omits jwks, jwks_uri, signing alg, metadata and strategy when unset', () => {
    const p = presentClient(client())
    for (const key of ['jwks', 'jwks_uri', 'token_endpoint_auth_signing_alg', 'metadata', 'access_token_strategy']) {
      expect(p).not.toHaveProperty(key)
    }
    expect(presentClient(client({ jwks_uri: 'https://app.example/jwks' })).jwks_uri).toBe('https://app.example/jwks')
    expect(presentClient(full)).toMatchObject({
      jwks: full.jwks, token_endpoint_auth_signing_alg: 'ES256', metadata: { tier: 'gold' }, access_token_strategy: 'jwt',
    })
  })

  it('prints times in RFC 3339', () => {
    const p = presentClient(full)
    expect(p.created_at).toBe('2024-05-01T10:00:00Z')
    expect(p.updated_at).toBe('2024-05-02T11:30:00.250Z')
  })

  it('prints lifespans as Go durations, null when unset', () => {
    const p = presentClient(client({
      lifespans: { ...emptyLifespans(), authorization_code_grant_access_token_lifespan: 3_600_000, implicit_grant_id_token_lifespan: 1500 },
    }))
    expect(p.authorization_code_grant_access_token_lifespan).toBe('1h0m0s')
    expect(p.implicit_grant_id_token_lifespan).toBe('1.5s')
    expect(p.refresh_token_grant_refresh_token_lifespan).toBeNull()
  })

  it('returns copies the caller may change freely', () => {
    const c = client({ metadata: { a: 1 } })
    const p = presentClient(c)
    ;(p.redirect_uris as string[]).push('https://evil.example')
    ;(p.metadata as { a: number }).a = 2
    expect(c.redirect_uris).toEqual(['https://app.example/cb'])
    expect(c.metadata).toEqual({ a: 1 })
  })
})

describe('toMetadata', () => {
  it('is the stored client without secret or bookkeeping', () => {
    const m = toMetadata(full)
    for (const key of ['pk', 'nid', 'secret_hash', 'rotated_secret_hashes', 'registration_access_token_hash', 'created_at', 'updated_at', 'client_secret']) {
      expect(m).not.toHaveProperty(key)
    }
    expect(m).toMatchObject({ client_id: 'c1', metadata: { tier: 'gold' }, lifespans: full.lifespans })
  })

  it('is a deep copy', () => {
    const c = client({ metadata: { a: [1] } })
    const m = toMetadata(c)
    m.redirect_uris.push('x')
    ;(m.metadata as { a: number[] }).a.push(2)
    m.lifespans.implicit_grant_id_token_lifespan = 5
    expect(c.redirect_uris).toHaveLength(1)
    expect(c.metadata).toEqual({ a: [1] })
    expect(c.lifespans.implicit_grant_id_token_lifespan).toBeNull()
  })
})

describe('round trip', () => {
  it('validating the presented client gives back its metadata (what PATCH relies on)', () => {
    const withLifespans = client({
      ...full,
      lifespans: { ...emptyLifespans(), refresh_token_grant_refresh_token_lifespan: 90_061_250 },
    })
    const ctx = { dev: false, mode: 'admin' as const, subjectTypes: ['public'], existing: withLifespans }
    expect(validateClientMetadata(presentClient(withLifespans), ctx)).toEqual(toMetadata(withLifespans))
    expect(validateClientMetadata(presentClient(client()), { ...ctx, existing: client() })).toEqual(toMetadata(client()))
  })
})
