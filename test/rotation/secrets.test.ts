// secrets.system rotation end to end: put a new secret first, everything keeps working; run
// `secrets reencrypt`; then the old secret can go and keys and JWT access tokens still work,
// while opaque tokens signed (HMAC) under the old secret stop — as documented.
import { decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Aead } from '../../src/crypto/aead.js'
import { openDb } from '../../src/persistence/db.js'
import { SqlReencryptStore } from '../../src/persistence/sql/reencrypt-store.js'
import { reencrypt, type ReencryptResult } from '../../src/rotation/reencrypt.js'
import type { TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { appsOn, introspect, issue, jwks, m2mClient, sharedDatabase } from './support.js'

const OLD = 'the-old-system-secret-32-chars!!'
const NEW = 'the-new-system-secret-32-chars!!'

const of = (results: ReencryptResult[], column: string) => results.find((r) => r.column === column)!

for (const t of testDatabases()) {
  describe(`secrets.system rotation on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    const open: TestApps[] = []
    const apps = async (secrets: string) => {
      const a = await appsOn(dsn, { SECRETS_SYSTEM: secrets })
      open.push(a)
      return a
    }

    beforeAll(async () => {
      ;({ dsn, drop } = await sharedDatabase(t))
    })
    afterAll(async () => {
      for (const a of open) await a.close()
      await drop()
    })

    it('works across rotation, re-encryption and removal of the old secret', async () => {
      // 1. Only the old secret.
      const before = await apps(OLD)
      const jwtClient = await m2mClient(before, { access_token_strategy: 'jwt' })
      const opaqueClient = await m2mClient(before)
      const jwtOld = await issue(before, jwtClient)
      const opaqueOld = await issue(before, opaqueClient)
      const kids = (await jwks(before)).keys.map((k) => k.kid).sort()
      expect(kids.length).toBeGreaterThanOrEqual(2)

      // Without the old secret the stored keys cannot be opened: such a server refuses to start.
      await expect(appsOn(dsn, { SECRETS_SYSTEM: NEW })).rejects.toThrow()

      // 2. Rotated: the new secret first, the old one after it. Old and new tokens all work.
      const rotated = await apps(`${NEW},${OLD}`)
      expect((await introspect(rotated, jwtOld)).active).toBe(true)
      expect((await introspect(rotated, opaqueOld)).active).toBe(true)
      const jwtNew = await issue(rotated, jwtClient)
      const opaqueNew = await issue(rotated, opaqueClient)
      expect((await introspect(rotated, jwtNew)).active).toBe(true)
      expect((await jwks(rotated)).keys.map((k) => k.kid).sort()).toEqual(kids)

      // 3. Re-encrypt under the first secret.
      const db = await openDb(dsn)
      try {
        const store = new SqlReencryptStore(db)
        const aead = new Aead([NEW, OLD])
        const first = await reencrypt(aead, store, { batchSize: 1 })
        expect(of(first, 'jwk').resealed).toBe(kids.length)
        expect(of(first, 'jwk').unreadable).toBe(0)
        // jwtOld was sealed under the old secret, jwtNew already under the new one; the opaque
        // tokens' sessions hold nothing and are stored unsealed, so there is nothing to re-seal.
        expect(of(first, 'access-session')).toMatchObject({ resealed: 1, current: 1, unreadable: 0 })
        // Running it again finds nothing left to do.
        const again = await reencrypt(aead, store)
        expect(again.every((r) => r.resealed === 0 && r.unreadable === 0)).toBe(true)
        expect(of(again, 'jwk').current).toBe(kids.length)
        // With only the old secret, nothing opens as current and nothing is rewritten.
        const wrong = await reencrypt(new Aead([OLD]), store)
        expect(of(wrong, 'jwk')).toMatchObject({ resealed: 0, current: 0, unreadable: kids.length })
      } finally {
        await db.close()
      }

      // 4. The old secret removed: keys and JWT access tokens still work, old ones included.
      const after = await apps(NEW)
      expect((await jwks(after)).keys.map((k) => k.kid).sort()).toEqual(kids)
      const jwtOldInfo = await introspect(after, jwtOld)
      expect(jwtOldInfo.active).toBe(true)
      expect(jwtOldInfo.client_id).toBe(jwtClient.id)
      expect((await introspect(after, jwtNew)).active).toBe(true)
      expect((await introspect(after, opaqueNew)).active).toBe(true)
      // An opaque token is an HMAC under the secret that issued it: gone with that secret.
      expect((await introspect(after, opaqueOld)).active).toBe(false)
      // And signing continues with the same key as before.
      const jwtLatest = await issue(after, jwtClient)
      expect(decodeProtectedHeader(jwtLatest).kid).toBe(decodeProtectedHeader(jwtOld).kid)
      expect((await introspect(after, jwtLatest)).active).toBe(true)
    }, 60_000)
  })
}
