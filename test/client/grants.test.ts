import { describe, expect, it } from 'vitest'
import { validateClientMetadata } from '../../src/client/validate.js'
import type { ValidationContext } from '../../src/client/validate.js'
import { OAuthError } from '../../src/oauth2/errors.js'

const base: ValidationContext = { dev: false, mode: 'admin', subjectTypes: ['public'] }
const ok = (body: Record<string, unknown>) => validateClientMetadata(body, base)

function fails(body: Record<string, unknown>, hint: RegExp) {
  let caught: unknown
  try {
    ok(body)
  } catch (e) {
    caught = e
  }
  expect(caught, `expected ${JSON.stringify(body)} to be rejected`).toBeInstanceOf(OAuthError)
  expect((caught as OAuthError).error).toBe('invalid_client_metadata')
  expect((caught as OAuthError).status).toBe(400)
  expect((caught as OAuthError).hint).toMatch(hint)
}

describe('token endpoint authentication', () => {
  it.each(['client_secret_basic', 'client_secret_post', 'none'])('accepts %s', (method) => {
    expect(ok({ token_endpoint_auth_method: method }).token_endpoint_auth_method).toBe(method)
  })

  it('rejects unknown methods, listing the allowed ones', () => {
    fails({ token_endpoint_auth_method: 'client_secret_jwt' }, /"client_secret_jwt".*"client_secret_basic", "client_secret_post", "private_key_jwt", "none"/)
  })

  const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }

  it('private_key_jwt needs jwks or jwks_uri', () => {
    fails({ token_endpoint_auth_method: 'private_key_jwt' }, /private_key_jwt.*jwks or jwks_uri/)
    expect(ok({ token_endpoint_auth_method: 'private_key_jwt', jwks }).jwks).toEqual(jwks)
    expect(ok({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://a.example/jwks' }).jwks_uri)
      .toBe('https://a.example/jwks')
  })

  it('jwks and jwks_uri are mutually exclusive', () => {
    fails({ jwks, jwks_uri: 'https://a.example/jwks' }, /jwks and jwks_uri/)
  })

  it.each(['RS256', 'PS512', 'ES384', 'EdDSA'])('accepts %s for private_key_jwt', (alg) => {
    const m = ok({ token_endpoint_auth_method: 'private_key_jwt', jwks, token_endpoint_auth_signing_alg: alg })
    expect(m.token_endpoint_auth_signing_alg).toBe(alg)
  })

  it('leaves the signing algorithm of other methods alone, like Hydra', () => {
    expect(ok({ token_endpoint_auth_signing_alg: 'HS256' }).token_endpoint_auth_signing_alg).toBe('HS256')
  })

  it('rejects other signing algorithms for private_key_jwt', () => {
    for (const alg of ['HS256', 'none', 'rs256']) {
      fails({ token_endpoint_auth_method: 'private_key_jwt', jwks, token_endpoint_auth_signing_alg: alg },
        new RegExp(`token_endpoint_auth_signing_alg.*"${alg}"`))
    }
  })
})

describe('jwks', () => {
  it('needs an array of keys, each with a kty', () => {
    fails({ jwks: {} }, /jwks must be a JSON Web Key Set/)
    fails({ jwks: { keys: {} } }, /jwks must be a JSON Web Key Set/)
    fails({ jwks: { keys: [{ crv: 'P-256' }] } }, /index 0 without a "kty"/)
    fails({ jwks: { keys: ['RSA'] } }, /index 0 without a "kty"/)
  })

  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])('rejects keys with the private member %s', (member) => {
    fails({ jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB' }, { kty: 'RSA', [member]: 'x' }] } },
      new RegExp(`index 1 with the private member "${member}"`))
  })
})

describe('grant and response types', () => {
  it.each([
    'authorization_code', 'implicit', 'refresh_token', 'client_credentials',
    'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:token-exchange',
  ])('accepts the grant type %s', (g) => {
    expect(ok({ grant_types: [g, 'authorization_code', 'implicit'] }).grant_types[0]).toBe(g)
  })

  it('rejects the password grant and unknown grants', () => {
    fails({ grant_types: ['password'] }, /"password".*not supported/)
    fails({ grant_types: ['authorization_code', 'magic'] }, /grant_types.*"magic"/)
  })

  it('rejects client_credentials for public clients', () => {
    fails({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, /client_credentials.*none/)
  })

  it.each(['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token', 'none'])(
    'accepts the response type %s',
    (r) => {
      expect(ok({ grant_types: ['authorization_code', 'implicit'], response_types: [r] }).response_types).toEqual([r])
    },
  )

  it('accepts the words of a response type in any order, keeping the entry as given', () => {
    const m = ok({ grant_types: ['authorization_code', 'implicit'], response_types: ['token id_token code'] })
    expect(m.response_types).toEqual(['token id_token code'])
  })

  it('rejects unknown or malformed response types', () => {
    for (const r of ['foo', 'code code', ' code', 'code  token', 'none code', 'CODE']) {
      fails({ grant_types: ['authorization_code', 'implicit'], response_types: [r] }, /response_types.*unsupported/)
    }
  })

  it('requires authorization_code for response types with code', () => {
    fails({ grant_types: ['implicit'], response_types: ['code'] }, /"code".*authorization_code/)
    fails({ grant_types: ['implicit'], response_types: ['code id_token'] }, /authorization_code/)
  })

  it('requires implicit for response types with token or id_token', () => {
    fails({ response_types: ['token'] }, /"token".*implicit/)
    fails({ response_types: ['id_token'] }, /"id_token".*implicit/)
    fails({ response_types: ['code id_token'] }, /implicit/)
  })

  it('lets clients without redirect-based grants keep the default response type', () => {
    expect(ok({ grant_types: ['client_credentials'] }).response_types).toEqual(['code'])
    expect(ok({ grant_types: ['client_credentials'], response_types: ['code'] }).response_types).toEqual(['code'])
    fails({ grant_types: ['client_credentials'], response_types: ['token'] }, /implicit/)
  })
})
