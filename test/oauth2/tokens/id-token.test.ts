import { createHash } from 'node:crypto'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { IdTokens, halfHash, hashFor } from '../../../src/oauth2/tokens/id-token.js'
import type { OidcSession } from '../../../src/oauth2/tokens/oidc-session.js'
import { testKeyRing, type TestKeyRing } from '../../support/keyring.js'

describe('at_hash / c_hash (OpenID Connect Core §3.1.3.6)', () => {
  it('is the left half of the hash that goes with the algorithm, base64url', () => {
    // The example of OpenID Connect Core's errata / many RPs: SHA-256 of the token, first 16 bytes.
    const token = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y'
    const full = createHash('sha256').update(token).digest()
    expect(halfHash(token, 'RS256')).toBe(full.subarray(0, 16).toString('base64url'))
    expect(halfHash(token, 'ES384')).toBe(createHash('sha384').update(token).digest().subarray(0, 24).toString('base64url'))
    expect(halfHash(token, 'PS512')).toHaveLength(43)
    expect(hashFor('EdDSA')).toBe('sha512')
    expect(() => hashFor('none')).toThrow()
  })
})

describe('ID token claims', () => {
  let keys: TestKeyRing
  beforeAll(async () => {
    keys = await testKeyRing()
  })
  const session: OidcSession = {
    idTokenExtra: { name: 'Alice', iss: 'https://evil.example', sub: 'mallory', aud: 'x', at_hash: 'forged' },
    authTime: 1_700_000_000,
    requestedAt: 1_700_000_005,
    acr: 'urn:mfa',
    amr: ['pwd', 'otp'],
    sid: 'session-1',
    forcedSubjectIdentifier: '',
  }
  const client = { client_id: 'client-1', subject_type: 'public', sector_identifier_uri: '', redirect_uris: ['https://app/cb'] }

  it('carries the protected claims, the extra ones, and never lets extras override', async () => {
    const ids = new IdTokens(keys, { issuer: 'https://issuer.example', pairwiseSalt: undefined })
    const now = new Date(1_700_000_100_000)
    const token = await ids.issue({ client, subject: 'alice', session, nonce: 'n-1', accessToken: 'ory_at_x', code: 'ory_ac_y', lifespan: 3_600_000, now })
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: 'test-key' })
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys.jwks), { currentDate: now })
    expect(payload).toMatchObject({
      iss: 'https://issuer.example',
      sub: 'alice',
      aud: ['client-1'],
      iat: 1_700_000_100,
      exp: 1_700_003_700,
      auth_time: 1_700_000_000,
      rat: 1_700_000_005,
      nonce: 'n-1',
      acr: 'urn:mfa',
      amr: ['pwd', 'otp'],
      sid: 'session-1',
      name: 'Alice',
      at_hash: halfHash('ory_at_x', 'ES256'),
      c_hash: halfHash('ory_ac_y', 'ES256'),
    })
    expect(typeof payload.jti).toBe('string')
  })

  it('omits empty optional claims and uses the pairwise subject', async () => {
    const ids = new IdTokens(keys, { issuer: 'https://issuer.example/', pairwiseSalt: 'salty-salt' })
    const claims = ids.claims(
      { client: { ...client, subject_type: 'pairwise' }, subject: 'alice', session: { ...session, acr: '', amr: [], sid: '' }, lifespan: 1000, now: new Date() },
      'RS256',
    )
    expect(claims.iss).toBe('https://issuer.example/')
    expect(claims.sub).toBe(createHash('sha256').update('appalicesalty-salt').digest('hex'))
    for (const name of ['nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash']) expect(claims, name).not.toHaveProperty(name)
  })
})
