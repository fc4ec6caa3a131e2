// RFC 9449 §4.3: the proof checks, one by one, with an in-memory replay cache.
import { createHmac, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { DpopNonces, DpopVerifier, htuOf, type DpopReplayStore } from '../../src/oauth2/dpop.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { dpopKey, proof, unsignedProof } from '../support/dpop.js'

const URL_ = 'https://as.example.com/oauth2/token'
const ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA']

class MemoryReplay implements DpopReplayStore {
  readonly seen = new Map<string, Date>()
  async claimDpopJti(signature: string, expiresAt: Date, now: Date): Promise<boolean> {
    const known = this.seen.get(signature)
    if (known && known > now) return false
    this.seen.set(signature, expiresAt)
    return true
  }
}

function verifier(opts: { requireNonce?: boolean; now?: () => Date } = {}) {
  const now = opts.now ?? (() => new Date())
  const replay = new MemoryReplay()
  const nonces = new DpopNonces(new HmacKeys(['a-system-secret-of-some-length']), now)
  return {
    replay,
    nonces,
    v: new DpopVerifier({ algorithms: ALGS, lifespanMs: 60_000, requireNonce: opts.requireNonce ?? false, nonces, replay, now }),
  }
}

async function refused(p: Promise<unknown>, error: string, hint: RegExp): Promise<OAuthError> {
  const e = await p.then(() => undefined, (x: unknown) => x)
  expect(e).toBeInstanceOf(OAuthError)
  const o = e as OAuthError
  expect(o.error).toBe(error)
  expect(o.hint ?? '').toMatch(hint)
  return o
}

const target = { method: 'POST', urls: [URL_], nonce: true }

describe('DpopVerifier', () => {
  it('accepts a good proof once and answers its key thumbprint', async () => {
    const key = await dpopKey()
    const { v } = verifier()
    const p = await proof(key, { htu: URL_ })
    await expect(v.verify(p, target)).resolves.toEqual({ jkt: key.jkt })
    await refused(v.verify(p, target), 'invalid_dpop_proof', /used before/)
  })

  it('accepts RSA-PSS and EdDSA keys, ignores query and fragment of htu', async () => {
    const { v } = verifier()
    for (const alg of ['PS256', 'EdDSA']) {
      const key = await dpopKey(alg)
      await expect(v.verify(await proof(key, { htu: URL_, alg }), { ...target, urls: [`${URL_}?x=1`] })).resolves.toEqual({ jkt: key.jkt })
    }
    expect(htuOf('https://as.example.com/a?b=c#d')).toBe('https://as.example.com/a')
  })

  it('refuses another method or URL', async () => {
    const key = await dpopKey()
    const { v } = verifier()
    await refused(v.verify(await proof(key, { htu: URL_, htm: 'GET' }), target), 'invalid_dpop_proof', /htm/)
    await refused(v.verify(await proof(key, { htu: 'https://as.example.com/userinfo' }), target), 'invalid_dpop_proof', /htu/)
    await refused(v.verify(await proof(key, { htu: 'https://evil.example.com/oauth2/token' }), target), 'invalid_dpop_proof', /htu/)
  })

  it('refuses an old or future iat', async () => {
    const key = await dpopKey()
    const { v } = verifier()
    const now = Math.floor(Date.now() / 1000)
    await refused(v.verify(await proof(key, { htu: URL_, iat: now - 120 }), target), 'invalid_dpop_proof', /iat/)
    await refused(v.verify(await proof(key, { htu: URL_, iat: now + 120 }), target), 'invalid_dpop_proof', /iat/)
  })

  it('refuses alg none, HS256, an algorithm not configured, and a wrong typ', async () => {
    const key = await dpopKey()
    const { v } = verifier()
    const claims = { htm: 'POST', htu: URL_, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }
    await refused(v.verify(unsignedProof({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims), target), 'invalid_dpop_proof', /alg/)
    const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } })).toString('base64url')
    const hsBody = Buffer.from(JSON.stringify(claims)).toString('base64url')
    const mac = createHmac('sha256', 'secret').update(`${hsHeader}.${hsBody}`).digest('base64url')
    await refused(v.verify(`${hsHeader}.${hsBody}.${mac}`, target), 'invalid_dpop_proof', /alg/)
    const es512 = await dpopKey('ES384')
    const narrow = new DpopVerifier({ ...v.options, algorithms: ['ES256'] })
    await refused(narrow.verify(await proof(es512, { htu: URL_, alg: 'ES384' }), target), 'invalid_dpop_proof', /alg/)
    await refused(v.verify(await proof(key, { htu: URL_, typ: 'JWT' }), target), 'invalid_dpop_proof', /typ/)
  })

  it('refuses a private key in jwk, a missing jwk, and a signature by another key', async () => {
    const key = await dpopKey()
    const other = await dpopKey()
    const { v } = verifier()
    const { exportJWK } = await import('jose')
    const privateJwk = await exportJWK(key.privateKey)
    await refused(v.verify(await proof(key, { htu: URL_, jwk: privateJwk }), target), 'invalid_dpop_proof', /private/)
    await refused(v.verify(await proof(key, { htu: URL_, jwk: other.publicJwk }), target), 'invalid_dpop_proof', /signature/)
    const claims = { htm: 'POST', htu: URL_, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }
    await refused(v.verify(unsignedProof({ alg: 'ES256', typ: 'dpop+jwt' }, claims, 'AAAA'), target), 'invalid_dpop_proof', /jwk/)
    await refused(v.verify('not-a-jwt', target), 'invalid_dpop_proof', /well-formed/)
  })

  it('checks ath against the access token', async () => {
    const key = await dpopKey()
    const { v } = verifier()
    const t = { method: 'GET', urls: ['https://as.example.com/userinfo'], accessToken: 'token-a', nonce: false }
    await expect(v.verify(await proof(key, { htm: 'GET', htu: t.urls[0]!, accessToken: 'token-a' }), t)).resolves.toEqual({ jkt: key.jkt })
    await refused(v.verify(await proof(key, { htm: 'GET', htu: t.urls[0]!, accessToken: 'token-b' }), t), 'invalid_dpop_proof', /ath/)
    await refused(v.verify(await proof(key, { htm: 'GET', htu: t.urls[0]! }), t), 'invalid_dpop_proof', /ath/)
  })

  it('asks for a server nonce when configured, with a DPoP-Nonce header, and takes the current one', async () => {
    const key = await dpopKey()
    const { v, nonces } = verifier({ requireNonce: true })
    const e = await refused(v.verify(await proof(key, { htu: URL_ }), target), 'use_dpop_nonce', /nonce/)
    const nonce = e.headers?.['dpop-nonce'] ?? ''
    expect(nonce).toBe(nonces.current())
    await expect(v.verify(await proof(key, { htu: URL_, nonce }), target)).resolves.toEqual({ jkt: key.jkt })
    await refused(v.verify(await proof(key, { htu: URL_, nonce: `${nonce}x` }), target), 'use_dpop_nonce', /nonce/)
  })

  it('lets a nonce age out after two windows', () => {
    let t = Date.parse('2030-01-01T00:00:00Z')
    const nonces = new DpopNonces(new HmacKeys(['a-system-secret-of-some-length']), () => new Date(t))
    const n = nonces.current()
    t += 5 * 60_000
    expect(nonces.valid(n)).toBe(true)
    t += 5 * 60_000
    expect(nonces.valid(n)).toBe(false)
  })
})
