import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SignJWT, errors, exportSPKI, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose'
import { Aead } from '../../src/crypto/aead.js'
import { KeyDecryptionError } from '../../src/jwk/codec.js'
import { KeyManager, NoSigningKeyError, type KeyManagerOptions } from '../../src/jwk/manager.js'
import { GENERATE_ALGS, publicJwk, type Jwk } from '../../src/jwk/model.js'
import type { Db } from '../../src/persistence/db.js'
import { SqlJwkStore } from '../../src/persistence/sql/jwk-store.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { TEST_SECRET } from '../support/app.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

for (const t of testDatabases()) {
  describe(`KeyManager on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let nid: string
    // The manager's clock (cache ages, key creation times, exp checks), moved by hand.
    let clock = Date.now()
    const manager = (opts: Partial<KeyManagerOptions> = {}) =>
      new KeyManager({
        store: new SqlJwkStore(db.kysely, nid),
        aead: new Aead([TEST_SECRET]),
        nid,
        now: () => clock,
        cacheTtlMs: 60_000,
        ...opts,
      })
    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      nid = await networkId(db)
    })
    afterAll(async () => cleanup())

    it.each(GENERATE_ALGS)('generates a working %s key', async (alg) => {
      const keys = manager()
      const jwk = await keys.create(`gen-${alg}`, { alg, use: 'sig' })
      expect(jwk).toMatchObject({ alg, use: 'sig' })
      expect(jwk.kid).toMatch(/^[0-9a-f-]{36}$/)
      const expected = { RS256: ['RSA', 2048], RS512: ['RSA', 4096], ES256: ['EC', 'P-256'], ES512: ['EC', 'P-521'], EdDSA: ['OKP', 'Ed25519'], HS256: ['oct', 256], HS512: ['oct', 512] }[alg]
      expect(jwk.kty).toBe(expected[0])
      if (jwk.kty === 'RSA') expect(Buffer.from(jwk.n ?? '', 'base64url').length * 8).toBe(expected[1])
      if (jwk.kty === 'EC' || jwk.kty === 'OKP') expect(jwk.crv).toBe(expected[1])
      if (jwk.kty === 'oct') expect(Buffer.from(jwk.k ?? '', 'base64url').length * 8).toBeGreaterThanOrEqual(Number(expected[1]))

      // The stored key reads back the same, and signs what jose verifies with its public half.
      expect(await keys.getKey(`gen-${alg}`, jwk.kid)).toEqual(jwk)
      const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg }).sign(await importJWK(jwk, alg))
      const verifyKey = jwk.kty === 'oct' ? jwk : (publicJwk(jwk) as JWK)
      await expect(jwtVerify(token, await importJWK(verifyKey, alg))).resolves.toBeDefined()
    })

    it('takes a given kid and use, and refuses a kid taken in the set', async () => {
      const keys = manager()
      const jwk = await keys.create('named', { alg: 'ES256', use: 'enc', kid: 'my-key' })
      expect(jwk).toMatchObject({ kid: 'my-key', use: 'enc' })
      await expect(keys.create('named', { alg: 'ES256', use: 'sig', kid: 'my-key' })).rejects.toMatchObject({ status: 409 })
    })

    it('signs with the newest key and still verifies tokens of the rotated one', async () => {
      const keys = manager()
      const first = await keys.create('rot', { alg: 'ES256', use: 'sig' })
      const t1 = await keys.sign('rot', { sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 }, { typ: 'at+jwt' })
      const second = await keys.create('rot', { alg: 'EdDSA', use: 'sig' })
      const t2 = await keys.sign('rot', { sub: 'bob' })

      const [h1, h2] = [t1, t2].map((tok) => JSON.parse(Buffer.from(tok.split('.')[0] ?? '', 'base64url').toString()))
      expect(h1).toEqual({ alg: 'ES256', kid: first.kid, typ: 'at+jwt' })
      expect(h2).toEqual({ alg: 'EdDSA', kid: second.kid })
      expect(await keys.verify('rot', t1)).toMatchObject({ kid: first.kid, payload: { sub: 'alice' } })
      expect(await keys.verify('rot', t2)).toMatchObject({ kid: second.kid, payload: { sub: 'bob' } })

      // Relying parties verify with the published keys.
      const published = await keys.publicKeys(['rot'])
      expect(published.map((k) => k.kid)).toEqual([second.kid, first.kid])
      const pub = published.find((k) => k.kid === first.kid)
      await expect(jwtVerify(t1, await importJWK(pub as JWK, 'ES256'))).resolves.toBeDefined()

      // Once the old key is deleted, its tokens no longer verify.
      await keys.deleteKey('rot', first.kid)
      await expect(keys.verify('rot', t1)).rejects.toThrow()
      await expect(keys.verify('rot', t2)).resolves.toBeDefined()
    })

    it('rejects tampered tokens, tokens of another set, enc keys and alg confusion', async () => {
      const keys = manager()
      const rsa = await keys.create('strict', { alg: 'RS256', use: 'sig' })
      const token = await keys.sign('strict', { sub: 'a' })
      const [h, p, s] = token.split('.') as [string, string, string]
      const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`
      await expect(keys.verify('strict', forged)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed)
      await expect(keys.verify('strict', `${h}.${p}.${s.slice(0, -4)}AAAA`)).rejects.toThrow()
      await keys.create('elsewhere', { alg: 'RS256', use: 'sig' })
      await expect(keys.verify('elsewhere', token)).rejects.toThrow()

      // HS256 "signed" with the RSA public key must not verify against the RSA key (alg confusion).
      const spki = await exportSPKI((await importJWK(publicJwk(rsa as Jwk) as JWK, 'RS256')) as CryptoKey)
      const confused = await new SignJWT({ sub: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .sign(new TextEncoder().encode(spki))
      await expect(keys.verify('strict', confused)).rejects.toThrow()

      const enc = await keys.create('enc-only', { alg: 'ES256', use: 'enc' })
      await expect(keys.sign('enc-only', { sub: 'a' })).rejects.toBeInstanceOf(NoSigningKeyError)
      const byEnc = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: enc.kid }).sign(await importJWK(enc, 'ES256'))
      await expect(keys.verify('enc-only', byEnc)).rejects.toThrow()
    })

    it('propagates claim failures of a valid signature (expired token)', async () => {
      const keys = manager()
      await keys.create('exp', { alg: 'ES256', use: 'sig' })
      const token = await keys.sign('exp', { sub: 'a', exp: Math.floor(Date.now() / 1000) - 3600 })
      await expect(keys.verify('exp', token)).rejects.toBeInstanceOf(errors.JWTExpired)
    })

    it("checks exp by its own clock, not the wall clock's", async () => {
      const keys = manager()
      await keys.create('exp-clock', { alg: 'ES256', use: 'sig' })
      const token = await keys.sign('exp-clock', { sub: 'a', exp: Math.floor(clock / 1000) + 60 })
      await expect(keys.verify('exp-clock', token)).resolves.toMatchObject({ payload: { sub: 'a' } })
      clock += 120_000
      await expect(keys.verify('exp-clock', token)).rejects.toBeInstanceOf(errors.JWTExpired)
    })

    it('caches keys with a TTL, invalidated by its own writes; an unknown kid re-reads early', async () => {
      const a = manager({ cacheTtlMs: 5_000 })
      const b = manager({ cacheTtlMs: 5_000 })
      const k1 = await a.create('shared', { alg: 'ES256', use: 'sig' })
      const kidOf = (tok: string) => JSON.parse(Buffer.from(tok.split('.')[0] ?? '', 'base64url').toString()).kid
      expect(kidOf(await a.sign('shared', {}))).toBe(k1.kid)

      clock += 1
      const k2 = await b.create('shared', { alg: 'ES256', use: 'sig' })
      // b wrote, so b sees its key at once; a keeps its cached view until the TTL passes.
      expect(kidOf(await b.sign('shared', {}))).toBe(k2.kid)
      expect(kidOf(await a.sign('shared', {}))).toBe(k1.kid)

      // A token by the new key makes a re-read the set (once a second at most) instead of failing.
      const byB = await b.sign('shared', { sub: 'b' })
      clock += 1_001
      await expect(a.verify('shared', byB)).resolves.toMatchObject({ kid: k2.kid })
      expect(kidOf(await a.sign('shared', {}))).toBe(k2.kid)

      const k3 = await b.create('shared', { alg: 'ES256', use: 'sig' })
      expect(kidOf(await a.sign('shared', {}))).toBe(k2.kid)
      clock += 5_000
      expect(kidOf(await a.sign('shared', {}))).toBe(k3.kid)
    })

    it('creates signing keys for well-known sets once, even when instances race', async () => {
      const opts = { autoCreate: { 'wk.one': 'ES256', 'wk.two': 'EdDSA' } as const }
      const instances = [manager(opts), manager(opts), manager(opts)]
      await Promise.all(instances.map((m) => m.ensureSigningKeys()))
      const one = await instances[0]!.getSet('wk.one')
      const two = await instances[0]!.getSet('wk.two')
      expect(one.map((k) => k.alg)).toEqual(['ES256'])
      expect(two.map((k) => k.alg)).toEqual(['EdDSA'])
      await instances[1]!.ensureSigningKeys()
      expect(await instances[1]!.getSet('wk.one')).toHaveLength(1)

      // Deleting a well-known set is a rotation: the next use creates a fresh key.
      await instances[2]!.deleteSet('wk.one')
      const token = await instances[2]!.sign('wk.one', { sub: 'x' })
      const fresh = await instances[2]!.getSet('wk.one')
      expect(fresh).toHaveLength(1)
      expect(fresh[0]!.kid).not.toBe(one[0]!.kid)
      expect((await instances[2]!.verify('wk.one', token)).kid).toBe(fresh[0]!.kid)
    })

    it('surfaces keys the secret cannot open instead of using them', async () => {
      const writer = manager()
      const good = await writer.create('mixed', { alg: 'ES256', use: 'sig' })
      const foreign = manager({ aead: new Aead(['some-other-secret-0123456789abc']) })
      const bad = await foreign.create('mixed', { alg: 'ES256', use: 'sig' })

      await expect(writer.getSet('mixed')).rejects.toBeInstanceOf(KeyDecryptionError)
      await expect(writer.getKey('mixed', bad.kid)).rejects.toThrow(`the JSON Web Key "${bad.kid}" of set "mixed" cannot be read`)

      const onUnreadable = vi.fn()
      const reader = manager({ onUnreadable })
      const token = await reader.sign('mixed', {})
      expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(good.kid)
      clock += 60_001
      await reader.sign('mixed', {})
      expect(onUnreadable).toHaveBeenCalledTimes(1)
      expect(onUnreadable.mock.calls[0]?.[0]).toBeInstanceOf(KeyDecryptionError)
      expect((await reader.publicKeys(['mixed'])).map((k) => k.kid)).toEqual([good.kid])

      expect(await reader.audit()).toMatchObject({ unreadable: [{ set: 'mixed', kid: bad.kid }] })
    })

    it('publishes public halves only', async () => {
      const keys = manager()
      for (const alg of GENERATE_ALGS) await keys.create('pub', { alg, use: 'sig' })
      const published = await keys.publicKeys(['pub', 'no-such-set'])
      // HMAC keys have no public half and are left out.
      expect(published.map((k) => k.alg).sort()).toEqual(['ES256', 'ES512', 'EdDSA', 'RS256', 'RS512'])
      for (const k of published) for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m)
    })
  })
}
