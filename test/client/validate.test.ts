import { describe, expect, it } from 'vitest'
import { validateClientMetadata, validateLifespans } from '../../src/client/validate.js'
import type { ValidationContext } from '../../src/client/validate.js'
import { LIFESPAN_FIELDS, emptyLifespans } from '../../src/client/model.js'
import type { Client } from '../../src/client/model.js'
import { OAuthError } from '../../src/oauth2/errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const base: ValidationContext = { dev: false, mode: 'admin', subjectTypes: ['public', 'pairwise'] }
const ok = (body: unknown, ctx: Partial<ValidationContext> = {}) => validateClientMetadata(body, { ...base, ...ctx })

function fails(body: unknown, hint: RegExp, ctx: Partial<ValidationContext> = {}, error = 'invalid_client_metadata') {
  let caught: unknown
  try {
    ok(body, ctx)
  } catch (e) {
    caught = e
  }
  expect(caught, `expected ${JSON.stringify(body)} to be rejected`).toBeInstanceOf(OAuthError)
  const e = caught as OAuthError
  expect(e.error).toBe(error)
  expect(e.status).toBe(400)
  expect(e.hint).toMatch(hint)
}

const stored = (over: Partial<Client> = {}): Client => ({
  ...ok({ client_id: 'stored-id' }),
  pk: 'pk',
  nid: 'nid',
  secret_hash: 'hash',
  rotated_secret_hashes: [],
  registration_access_token_hash: '',
  created_at: new Date(0),
  updated_at: new Date(0),
  ...over,
})

describe('body shape', () => {
  it('must be a JSON object', () => {
    for (const body of [null, [], 'x', 5, true, undefined]) fails(body, /JSON object/)
  })

  it.each([
    ['client_name', 5, /client_name must be a string/],
    ['redirect_uris', 'https://a.example/cb', /redirect_uris must be an array of strings/],
    ['contacts', [1], /contacts must be an array of strings/],
    ['skip_consent', 'true', /skip_consent must be a boolean/],
    ['frontchannel_logout_session_required', 1, /frontchannel_logout_session_required must be a boolean/],
    ['client_secret_expires_at', 1.5, /client_secret_expires_at must be an integer/],
    ['client_secret_expires_at', '0', /client_secret_expires_at must be an integer/],
    ['jwks', 'keys', /jwks must be a JSON Web Key Set/],
    ['jwks', [], /jwks must be a JSON Web Key Set/],
  ])('rejects a wrong JSON type for %s', (field, value, hint) => {
    fails({ [field]: value }, hint)
  })

  it('treats null like an absent field', () => {
    const m = ok({ client_name: null, redirect_uris: null, skip_consent: null, jwks: null, scope: null })
    expect(m).toMatchObject({ client_name: '', redirect_uris: [], skip_consent: false, jwks: null })
    expect(m.scope).toBe('offline_access offline openid')
  })

  it('ignores unknown and read-only fields, whatever their type', () => {
    const m = ok({ foo: 1, created_at: 5, updated_at: [], registration_access_token: {}, registration_client_uri: 7 })
    for (const f of ['foo', 'created_at', 'updated_at', 'registration_access_token', 'registration_client_uri']) {
      expect(m).not.toHaveProperty(f)
    }
  })

  it('does not read inherited properties', () => {
    const body = Object.create({ client_name: 5 }) as object
    expect(ok(body).client_name).toBe('')
  })
})

describe('defaults', () => {
  it('fills every field as Hydra does', () => {
    const m = ok({})
    expect(m.client_id).toMatch(UUID)
    expect({ ...m, client_id: 'x' }).toEqual({
      client_id: 'x', client_name: '', redirect_uris: [], grant_types: ['authorization_code'],
      response_types: ['code'], scope: 'offline_access offline openid', audience: [], owner: '',
      policy_uri: '', tos_uri: '', client_uri: '', logo_uri: '', contacts: [], client_secret_expires_at: 0,
      subject_type: 'public', sector_identifier_uri: '', jwks: null, jwks_uri: '', request_uris: [],
      token_endpoint_auth_method: 'client_secret_basic', token_endpoint_auth_signing_alg: '',
      request_object_signing_alg: '', userinfo_signed_response_alg: 'none', allowed_cors_origins: [],
      frontchannel_logout_uri: '', frontchannel_logout_session_required: false, post_logout_redirect_uris: [],
      backchannel_logout_uri: '', backchannel_logout_session_required: false, require_pushed_authorization_requests: false, metadata: null,
      skip_consent: false, skip_logout_consent: false, access_token_strategy: '', lifespans: emptyLifespans(),
    })
    expect(m).not.toHaveProperty('client_secret')
  })

  it('replaces empty grant_types, response_types and scope with the defaults', () => {
    const m = ok({ grant_types: [], response_types: [], scope: '   ' })
    expect(m).toMatchObject({ grant_types: ['authorization_code'], response_types: ['code'], scope: 'offline_access offline openid' })
  })

  it('takes the default scope from the context when given', () => {
    expect(ok({}, { defaultScope: ['openid'] }).scope).toBe('openid')
  })

  it('always reports client_secret_expires_at as 0, like Hydra', () => {
    expect(ok({ client_secret_expires_at: 1234 }).client_secret_expires_at).toBe(0)
  })
})

describe('client_id', () => {
  it('may be chosen by an admin', () => {
    expect(ok({ client_id: 'my-client' }).client_id).toBe('my-client')
    expect(ok({ client_id: 'x'.repeat(255) }).client_id).toHaveLength(255)
  })

  it('is generated when absent or empty', () => {
    expect(ok({ client_id: '' }).client_id).toMatch(UUID)
    expect(ok({}).client_id).not.toBe(ok({}).client_id)
  })

  it('rejects ids longer than 255 characters', () => fails({ client_id: 'x'.repeat(256) }, /client_id.*255/))
  it('rejects whitespace', () => fails({ client_id: 'a b' }, /client_id.*whitespace.*"a b"/))
  it('rejects control characters', () => fails({ client_id: 'a\u0000b' }, /client_id.*control/))

  it('keeps the stored id on admin updates', () => {
    expect(ok({ client_id: 'other' }, { existing: stored() }).client_id).toBe('stored-id')
  })

  it('can not be chosen in dynamic registration', () => {
    fails({ client_id: 'mine' }, /client_id.*dynamic.*"mine"/, { mode: 'dynamic' })
    expect(ok({}, { mode: 'dynamic' }).client_id).toMatch(UUID)
  })

  it('may be repeated, unchanged, in a dynamic update (RFC 7592 §2.2)', () => {
    expect(ok({ client_id: 'stored-id' }, { mode: 'dynamic', existing: stored() }).client_id).toBe('stored-id')
    fails({ client_id: 'other' }, /client_id/, { mode: 'dynamic', existing: stored() })
  })
})

describe('client_secret', () => {
  it('is passed through when at least 6 characters long', () => {
    expect(ok({ client_secret: 'abcdef' }).client_secret).toBe('abcdef')
  })

  it('rejects shorter secrets without echoing them', () => {
    fails({ client_secret: 'abcde' }, /client_secret.*at least 6/)
    fails({ client_secret: 'abcde' }, /^(?!.*abcde)/)
  })

  it('is left undefined for the caller to generate when absent', () => {
    expect(ok({ token_endpoint_auth_method: 'client_secret_post' })).not.toHaveProperty('client_secret')
  })

  it('must not be set for public clients', () => {
    fails({ client_secret: 'abcdefgh', token_endpoint_auth_method: 'none' },
      /client_secret must not be set when token_endpoint_auth_method is none/)
  })

  it('can not be chosen in dynamic registration', () => {
    fails({ client_secret: 'abcdefgh' }, /client_secret.*dynamic/, { mode: 'dynamic' })
  })

  it('is at most 72 bytes when the bcrypt hasher is configured, whatever pbkdf2 takes', () => {
    expect(ok({ client_secret: 'a'.repeat(72) }, { secretHashedWith: 'bcrypt' }).client_secret).toHaveLength(72)
    fails({ client_secret: 'a'.repeat(73) }, /^Field client_secret must not be longer than 72 bytes because the configured bcrypt hasher would ignore the rest\.$/, { secretHashedWith: 'bcrypt' })
    // 25 characters, 75 bytes.
    fails({ client_secret: '€'.repeat(25) }, /longer than 72 bytes/, { secretHashedWith: 'bcrypt' })
    expect(ok({ client_secret: 'a'.repeat(200) }, { secretHashedWith: 'pbkdf2' }).client_secret).toHaveLength(200)
    expect(ok({ client_secret: 'a'.repeat(200) }).client_secret).toHaveLength(200)
  })
})

describe('subject_type', () => {
  it('accepts the supported types and rejects others, listing them', () => {
    expect(ok({ subject_type: 'pairwise' }).subject_type).toBe('pairwise')
    fails({ subject_type: 'pairwise' }, /"pairwise".*allowed are: "public"\./, { subjectTypes: ['public'] })
    fails({ subject_type: 'opaque' }, /subject_type.*"opaque".*"public", "pairwise"/)
  })

  it('defaults to public, or to the only supported type', () => {
    expect(ok({}, { subjectTypes: ['pairwise'] }).subject_type).toBe('pairwise')
  })

  it('needs a sector_identifier_uri for pairwise clients on several hosts', () => {
    const redirect_uris = ['https://a.example/cb', 'https://b.example/cb']
    fails({ subject_type: 'pairwise', redirect_uris }, /sector_identifier_uri/)
    expect(ok({ subject_type: 'pairwise', redirect_uris, sector_identifier_uri: 'https://a.example/s.json' }).subject_type)
      .toBe('pairwise')
    expect(ok({ subject_type: 'pairwise', redirect_uris: ['https://a.example/1', 'https://a.example:8443/2'] })
      .subject_type).toBe('pairwise')
    expect(ok({ redirect_uris }).subject_type).toBe('public')
  })
})

describe('audience and scope', () => {
  it('rejects audiences with whitespace or empty ones', () => {
    expect(ok({ audience: ['https://api.example', 'urn:x'] }).audience).toEqual(['https://api.example', 'urn:x'])
    fails({ audience: ['a b'] }, /audience.*"a b"/)
    fails({ audience: [''] }, /audience/)
  })

  it('collapses repeated spaces', () => {
    expect(ok({ scope: '  openid   offline ' }).scope).toBe('openid offline')
  })

  it('accepts every RFC 6749 scope-token character', () => {
    expect(ok({ scope: '!#[]~ a:b/c' }).scope).toBe('!#[]~ a:b/c')
  })

  it('rejects quotes, backslashes, control and non-ASCII characters', () => {
    for (const s of ['a"b', 'a\\b', 'a\tb', 'ünï']) fails({ scope: `openid ${s}` }, /scope.*invalid scope token/)
  })
})

describe('access_token_strategy, userinfo alg and lifespans', () => {
  it('accepts the known strategies only', () => {
    for (const s of ['', 'opaque', 'jwt']) expect(ok({ access_token_strategy: s }).access_token_strategy).toBe(s)
    fails({ access_token_strategy: 'JWT' }, /access_token_strategy.*"JWT"/)
  })

  it('accepts none and RS256 as userinfo_signed_response_alg', () => {
    expect(ok({ userinfo_signed_response_alg: 'RS256' }).userinfo_signed_response_alg).toBe('RS256')
    fails({ userinfo_signed_response_alg: 'HS256' }, /userinfo_signed_response_alg/)
  })

  it('parses lifespans into milliseconds', () => {
    const m = ok({ authorization_code_grant_access_token_lifespan: '1h30m', implicit_grant_id_token_lifespan: null })
    expect(m.lifespans.authorization_code_grant_access_token_lifespan).toBe(5_400_000)
    expect(m.lifespans.implicit_grant_id_token_lifespan).toBeNull()
  })

  it('rejects invalid lifespans, naming the field', () => {
    fails({ refresh_token_grant_refresh_token_lifespan: '1 day' }, /refresh_token_grant_refresh_token_lifespan.*"1 day"/)
    fails({ jwt_bearer_grant_access_token_lifespan: 3600 }, /jwt_bearer_grant_access_token_lifespan/)
  })

  it('validateLifespans reads all 13 fields, null when missing', () => {
    const l = validateLifespans({ client_credentials_grant_access_token_lifespan: '2m', unknown: 'x' })
    expect(Object.keys(l).sort()).toEqual([...LIFESPAN_FIELDS].sort())
    expect(l).toEqual({ ...emptyLifespans(), client_credentials_grant_access_token_lifespan: 120_000 })
    expect(() => validateLifespans({ device_authorization_grant_id_token_lifespan: 'soon' })).toThrow(/device_authorization/)
    expect(() => validateLifespans([])).toThrow(OAuthError)
  })
})

describe('admin-only fields', () => {
  it('takes any JSON value as metadata from admins', () => {
    expect(ok({ metadata: { a: [1] } }).metadata).toEqual({ a: [1] })
    expect(ok({ metadata: 'x' }).metadata).toBe('x')
  })

  it.each([
    ['metadata', { a: 1 }], ['skip_consent', true], ['skip_logout_consent', true], ['access_token_strategy', 'jwt'],
    ['authorization_code_grant_access_token_lifespan', '1h'],
  ])('rejects %s in dynamic registration', (field, value) => {
    fails({ [field]: value }, new RegExp(`${field} can not be set in dynamic`), { mode: 'dynamic' })
  })

  it('tolerates a dynamic client echoing back what an administrator stored, but not a change', () => {
    const existing = {
      ...ok({}),
      pk: 'pk', nid: 'nid', secret_hash: '', registration_access_token_hash: '', created_at: new Date(), updated_at: new Date(),
      skip_consent: true,
      access_token_strategy: 'jwt',
      lifespans: { ...emptyLifespans(), authorization_code_grant_access_token_lifespan: 3_600_000 },
    } as Client
    const echoed = { skip_consent: true, access_token_strategy: 'jwt', authorization_code_grant_access_token_lifespan: '1h0m0s' }
    const meta = ok(echoed, { mode: 'dynamic', existing })
    expect(meta).toMatchObject({ skip_consent: true, access_token_strategy: 'jwt' })
    fails({ access_token_strategy: 'opaque' }, /access_token_strategy can not be set/, { mode: 'dynamic', existing })
    fails({ authorization_code_grant_access_token_lifespan: '2h' }, /lifespan can not be set/, { mode: 'dynamic', existing })
    fails({ metadata: { a: 1 } }, /metadata can not be set/, { mode: 'dynamic', existing: { ...existing, metadata: { a: 1 } } })
  })

  it('tolerates the defaults echoed back by a dynamic client', () => {
    expect(() => ok({ skip_consent: false, access_token_strategy: '', metadata: null }, { mode: 'dynamic' })).not.toThrow()
  })

  it('keeps what an admin set when a dynamic client updates itself', () => {
    const lifespans = { ...emptyLifespans(), implicit_grant_access_token_lifespan: 60_000 }
    const existing = stored({ skip_consent: true, metadata: { tier: 'gold' }, access_token_strategy: 'jwt', lifespans })
    const m = ok({ client_name: 'renamed' }, { mode: 'dynamic', existing })
    expect(m).toMatchObject({
      client_name: 'renamed', skip_consent: true, metadata: { tier: 'gold' }, access_token_strategy: 'jwt', lifespans,
    })
  })
})

describe('size limits', () => {
  it('limits strings to 1024 characters', () => {
    expect(ok({ client_name: 'n'.repeat(1024) }).client_name).toHaveLength(1024)
    fails({ client_name: 'n'.repeat(1025) }, /client_name.*1024/)
    fails({ contacts: ['c'.repeat(1025)] }, /contacts.*1024/)
  })

  it('limits arrays to 100 entries', () => {
    expect(ok({ contacts: Array(100).fill('a@b.example') }).contacts).toHaveLength(100)
    fails({ contacts: Array(101).fill('a@b.example') }, /contacts.*100 entries/)
  })

  it('does not limit metadata and jwks', () => {
    expect(ok({ metadata: { blob: 'x'.repeat(5000) } }).metadata).toBeTruthy()
    expect(ok({ jwks: { keys: [{ kty: 'RSA', n: 'n'.repeat(5000), e: 'AQAB' }] } }).jwks?.keys).toHaveLength(1)
  })
})
