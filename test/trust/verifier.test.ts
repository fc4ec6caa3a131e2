// The trusted-JWT verifier with real jose-signed assertions, real SQL stores (SQLite, and the
// other engines when configured) and the real jti list.
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Aead } from '../../src/crypto/aead.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { SqlTokenStore } from '../../src/persistence/sql/token-store.js'
import { SqlTrustStore } from '../../src/persistence/sql/trust-store.js'
import { TrustService } from '../../src/trust/service.js'
import { TrustVerifier, type TrustedJwtPolicy } from '../../src/trust/verifier.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import type { Db } from '../../src/persistence/db.js'

const TOKEN_URL = 'https://auth.example/oauth2/token'
const HOUR = 3600_000

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>

async function keyPair(alg: string, kid: string): Promise<{ pair: KeyPair; jwk: JWK }> {
  const pair = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' }
  return { pair, jwk }
}

for (const t of testDatabases()) {
  describe(`TrustVerifier on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let service: TrustService
    let store: SqlTrustStore
    let tokens: SqlTokenStore
    let clock = new Date()
    const aead = new Aead(['a-test-system-secret-of-32-chars!'])
    let es: { pair: KeyPair; jwk: JWK }
    let rsa: { pair: KeyPair; jwk: JWK }
    let stranger: { pair: KeyPair; jwk: JWK }
    const issuer = `https://idp-${randomUUID()}.example`
    const anyIssuer = `https://any-${randomUUID()}.example`
    const expiredIssuer = `https://expired-${randomUUID()}.example`

    const verifier = (policy: Partial<TrustedJwtPolicy> = {}) =>
      new TrustVerifier({
        store,
        aead,
        tokens,
        policy: { jtiOptional: false, iatOptional: false, maxTtlMs: 720 * HOUR, ...policy },
      })

    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      const nid = await networkId(db)
      store = new SqlTrustStore(db.kysely, nid)
      tokens = new SqlTokenStore(db.kysely, nid)
      service = new TrustService({ store, aead, now: () => clock })
      es = await keyPair('ES256', 'es-key')
      rsa = await keyPair('RS256', 'rsa-key')
      stranger = await keyPair('ES256', 'es-key')
      const inAYear = new Date(Date.now() + 365 * 24 * HOUR).toISOString()
      await service.create({ issuer, subject: 'alice', scope: ['read', 'write'], jwk: es.jwk, expires_at: inAYear })
      await service.create({ issuer, subject: 'bob', scope: ['read'], jwk: rsa.jwk, expires_at: inAYear })
      await service.create({ issuer: anyIssuer, allow_any_subject: true, scope: ['read'], jwk: es.jwk, expires_at: inAYear })
      // Created "an hour ago" with a lifetime of a minute: expired now.
      clock = new Date(Date.now() - HOUR)
      await service.create({
        issuer: expiredIssuer,
        subject: 'alice',
        scope: ['read'],
        jwk: es.jwk,
        expires_at: new Date(clock.getTime() + 60_000).toISOString(),
      })
      clock = new Date()
    })
    afterAll(async () => cleanup())

    const nowSec = () => Math.floor(Date.now() / 1000)

    async function sign(
      claims: JWTPayload,
      key: { pair: KeyPair; jwk: JWK } = es,
      header: { alg?: string; kid?: string } = {},
    ): Promise<string> {
      const alg = header.alg ?? String(key.jwk.alg)
      return new SignJWT(claims)
        .setProtectedHeader({ alg, kid: header.kid ?? String(key.jwk.kid) })
        .sign(key.pair.privateKey)
    }

    const good = (over: JWTPayload = {}): JWTPayload => ({
      iss: issuer,
      sub: 'alice',
      aud: TOKEN_URL,
      exp: nowSec() + 300,
      iat: nowSec() - 5,
      jti: randomUUID(),
      ...over,
    })

    async function refused(jwt: string, message: RegExp, policy: Partial<TrustedJwtPolicy> = {}): Promise<void> {
      const err = await verifier(policy)
        .verify(jwt, { audiences: [TOKEN_URL], now: new Date() })
        .then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(OAuthError)
      const e = err as OAuthError
      expect(e.error).toBe('invalid_grant')
      expect(e.status).toBe(400)
      expect(e.hint ?? '').toMatch(message)
    }

    it('accepts a good assertion and reports the relationship', async () => {
      const claims = good({ custom: 'x' })
      const got = await verifier().verify(await sign(claims), { audiences: [TOKEN_URL], now: new Date() })
      expect(got).toMatchObject({ issuer, subject: 'alice', allowedScope: ['read', 'write'] })
      expect(got.claims.custom).toBe('x')
      expect(got.expiresAt.getTime()).toBe((claims.exp as number) * 1000)
      const stored = await service.get(got.trustId)
      expect(stored.subject).toBe('alice')
    })

    it('accepts an RS256 assertion for the subject whose relationship holds the RSA key', async () => {
      const got = await verifier().verify(await sign(good({ sub: 'bob' }), rsa), { audiences: [TOKEN_URL], now: new Date() })
      expect(got).toMatchObject({ subject: 'bob', allowedScope: ['read'] })
    })

    it('refuses a signature made with another key of the same kid', async () => {
      await refused(await sign(good(), stranger), /signature does not verify/)
    })

    it('refuses an algorithm that does not match the trusted key', async () => {
      // Alice's relationship holds an ES256 key; an RS256 assertion with its kid cannot be checked by it.
      await refused(await sign(good(), rsa, { kid: 'es-key' }), /algorithm 'RS256' does not match/)
    })

    it('refuses a kid no relationship of the subject holds', async () => {
      await refused(await sign(good(), rsa), /key id 'rsa-key'/)
    })

    it('refuses an unknown issuer', async () => {
      await refused(await sign(good({ iss: 'https://unknown.example' })), /No trust relationship for the issuer/)
    })

    it('refuses a subject the issuer may not assert', async () => {
      await refused(await sign(good({ sub: 'mallory' })), /not trusted to assert the subject 'mallory'/)
    })

    it('accepts any subject when the relationship allows any', async () => {
      const got = await verifier().verify(await sign(good({ iss: anyIssuer, sub: 'whoever' })), { audiences: [TOKEN_URL], now: new Date() })
      expect(got).toMatchObject({ issuer: anyIssuer, subject: 'whoever', allowedScope: ['read'] })
    })

    it('refuses an expired relationship', async () => {
      await refused(await sign(good({ iss: expiredIssuer })), /No trust relationship for the issuer .* or it has expired/)
    })

    it('requires exp and refuses an expired assertion', async () => {
      const { exp: _exp, ...noExp } = good()
      await refused(await sign(noExp), /must contain an 'exp'/)
      await refused(await sign(good({ exp: nowSec() - 10, iat: nowSec() - 60 })), /has expired/)
    })

    it('refuses exp beyond oauth2.grant.jwt.max_ttl', async () => {
      await refused(await sign(good({ exp: nowSec() + 7200 })), /too far in the future/, { maxTtlMs: HOUR })
      // The same lifetime passes under the default 720h.
      await verifier().verify(await sign(good({ exp: nowSec() + 7200 })), { audiences: [TOKEN_URL], now: new Date() })
    })

    it('requires iat unless iat_optional, and refuses iat in the future', async () => {
      const { iat: _iat, ...noIat } = good()
      await refused(await sign(noIat), /must contain an 'iat'/)
      await verifier({ iatOptional: true }).verify(await sign({ ...noIat, jti: randomUUID() }), { audiences: [TOKEN_URL], now: new Date() })
      await refused(await sign(good({ iat: nowSec() + 120 })), /'iat' \(issued at\) claim is in the future/)
    })

    it('honours nbf', async () => {
      await refused(await sign(good({ nbf: nowSec() + 120 })), /not valid yet/)
      await verifier().verify(await sign(good({ nbf: nowSec() - 1 })), { audiences: [TOKEN_URL], now: new Date() })
    })

    it('refuses a replayed jti', async () => {
      const jwt = await sign(good())
      await verifier().verify(jwt, { audiences: [TOKEN_URL], now: new Date() })
      await refused(jwt, /was used before/)
    })

    it('requires jti unless jti_optional', async () => {
      const { jti: _jti, ...noJti } = good()
      const jwt = await sign(noJti)
      await refused(jwt, /must contain a 'jti'/)
      const v = verifier({ jtiOptional: true })
      await v.verify(jwt, { audiences: [TOKEN_URL], now: new Date() })
      // Without a jti nothing can be remembered: the same assertion passes again.
      await v.verify(jwt, { audiences: [TOKEN_URL], now: new Date() })
    })

    it('checks aud when audiences are given, and skips the check when undefined', async () => {
      const jwt = await sign(good({ aud: ['https://elsewhere.example'] }))
      await refused(jwt, /'aud' claim must contain the token endpoint/)
      const got = await verifier().verify(jwt, { now: new Date() })
      expect(got.subject).toBe('alice')
    })

    it('refuses garbage and unsigned tokens', async () => {
      await refused('not-a-jwt', /not a well-formed/)
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(good())).toString('base64url')}.`
      await refused(unsigned, /algorithm 'none'/)
    })

    it('stops trusting once the relationship is deleted', async () => {
      const inAYear = new Date(Date.now() + 365 * 24 * HOUR).toISOString()
      const temp = await service.create({ issuer, subject: 'carol', scope: [], jwk: es.jwk, expires_at: inAYear })
      await verifier().verify(await sign(good({ sub: 'carol' })), { audiences: [TOKEN_URL], now: new Date() })
      await service.delete(temp.id)
      await refused(await sign(good({ sub: 'carol' })), /not trusted to assert the subject 'carol'/)
    })
  })
}
