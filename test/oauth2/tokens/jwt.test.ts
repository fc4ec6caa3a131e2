import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { sha384Hex } from '../../../src/crypto/hmac.js'
import { JwtAccessTokens, jwtSignatureOf, type JwtAccessTokenOptions } from '../../../src/oauth2/tokens/jwt.js'
import { testKeyRing, type TestKeyRing } from '../../support/keyring.js'

const ISSUER = 'https://auth.example'
const options = (o: Partial<JwtAccessTokenOptions> = {}): JwtAccessTokenOptions => ({
  issuer: ISSUER,
  scopeClaim: 'list',
  excludeNotBefore: false,
  allowedTopLevelClaims: [],
  mirrorTopLevelClaims: true,
  ...o,
})
const now = Math.floor(Date.now() / 1000)
const claims = {
  subject: 'machine',
  clientId: 'machine',
  audience: ['https://api.example'],
  scope: ['read', 'write'],
  issuedAt: now,
  expiresAt: now + 600,
  ext: {},
}

describe('JWT access tokens', () => {
  let keys: TestKeyRing
  beforeAll(async () => {
    keys = await testKeyRing()
  })

  it('are RFC 9068 tokens with Hydra\'s claims, verifiable with the public key set', async () => {
    const issued = await new JwtAccessTokens(keys, options()).issue(claims)
    const { payload, protectedHeader } = await jwtVerify(issued.token, createLocalJWKSet(keys.jwks), {
      issuer: ISSUER,
      typ: 'at+jwt',
    })
    expect(protectedHeader.kid).toBe('test-key')
    expect(issued.kid).toBe('test-key')
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'machine',
      client_id: 'machine',
      aud: ['https://api.example'],
      scp: ['read', 'write'],
      iat: now,
      nbf: now,
      exp: now + 600,
    })
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload.scope).toBeUndefined()
    expect(payload.ext).toBeUndefined()
    // Stored under a digest of the signature segment, never the token.
    expect(issued.signature).toBe(sha384Hex(issued.token.split('.')[2]!))
    expect(jwtSignatureOf(issued.token)).toBe(issued.signature)
  })

  it('follow scope_claim, exclude_not_before_claim and keep aud an array', async () => {
    const str = await new JwtAccessTokens(keys, options({ scopeClaim: 'string', excludeNotBefore: true })).issue({ ...claims, audience: [] })
    const p1 = (await keys.verify('', str.token)).payload
    expect(p1.scope).toBe('read write')
    expect(p1.scp).toBeUndefined()
    expect(p1.nbf).toBeUndefined()
    expect(p1.aud).toEqual([])
    const both = await new JwtAccessTokens(keys, options({ scopeClaim: 'both' })).issue(claims)
    const p2 = (await keys.verify('', both.token)).payload
    expect(p2.scope).toBe('read write')
    expect(p2.scp).toEqual(['read', 'write'])
  })

  it('carry ext, and copy allowed claims to the top level without overriding reserved ones', async () => {
    const ext = { tenant: 't1', sub: 'forged', other: 1 }
    const mirrored = await new JwtAccessTokens(keys, options({ allowedTopLevelClaims: ['tenant', 'sub'] })).issue({ ...claims, ext })
    const p1 = (await keys.verify('', mirrored.token)).payload
    expect(p1).toMatchObject({ tenant: 't1', sub: 'machine', ext: { tenant: 't1', sub: 'forged', other: 1 } })
    // oauth2.preserve_ext_claims: without mirroring, the claims not copied up stay in ext.
    const preserved = await new JwtAccessTokens(
      keys,
      options({ allowedTopLevelClaims: ['tenant'], mirrorTopLevelClaims: false, preserveExtClaims: true }),
    ).issue({ ...claims, ext })
    const p2 = (await keys.verify('', preserved.token)).payload
    expect(p2.tenant).toBe('t1')
    expect(p2.ext).toEqual({ sub: 'forged', other: 1 })
    expect(decodeProtectedHeader(preserved.token).typ).toBe('at+jwt')
    // Neither mirrored nor preserved (Hydra's default for mirror false): no ext claim at all.
    const unmirrored = await new JwtAccessTokens(keys, options({ allowedTopLevelClaims: ['tenant'], mirrorTopLevelClaims: false })).issue({
      ...claims,
      ext,
    })
    const p3 = (await keys.verify('', unmirrored.token)).payload
    expect(p3.tenant).toBe('t1')
    expect(p3.ext).toBeUndefined()
  })

  it('verify only our own tokens, and never throw', async () => {
    const tokens = new JwtAccessTokens(keys, options())
    const { token } = await tokens.issue(claims)
    expect(await tokens.verify(token)).toBe(true)
    const other = await new JwtAccessTokens(await testKeyRing(), options()).issue(claims)
    expect(await tokens.verify(other.token)).toBe(false)
    for (const garbage of ['', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', `${token}x`, 'ory_at_x.y']) {
      expect(await tokens.verify(garbage)).toBe(false)
    }
    expect(jwtSignatureOf('a.b')).toBeUndefined()
    expect(jwtSignatureOf(42)).toBeUndefined()
  })
})
