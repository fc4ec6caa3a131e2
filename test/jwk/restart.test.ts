// Keys survive a restart with the same secrets.system; a different secret stops the server
// with one clear line instead of silently creating new keys.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from '../../src/jwk/keyring.js'
import { createLogger } from '../../src/logging.js'
import { openDb } from '../../src/persistence/db.js'
import { migrateUp } from '../../src/persistence/migrate.js'
import { createRegistry, StartupError, type Registry } from '../../src/registry.js'
import { testDatabases } from '../support/databases.js'
import { TEST_SECRET, testConfig } from '../support/app.js'

const OTHER_SECRET = 'a-different-system-secret-0123456'

async function start(dsn: string, secrets: string, opts: { dev?: boolean } = {}): Promise<Registry> {
  const config = testConfig(dsn, { SECRETS_SYSTEM: secrets }, opts)
  return createRegistry(config, { logger: createLogger(config.log), migrate: true })
}

const kids = async (r: Registry, set: string) => (await r.keys.getSet(set)).map((k) => k.kid)

for (const t of testDatabases()) {
  describe(`restarting on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    beforeAll(async () => {
      if (t.name === 'sqlite') {
        // A memory database dies with its connection; a restart needs a file.
        const dir = mkdtempSync(join(tmpdir(), 'orthrus-keys-'))
        dsn = `sqlite://${join(dir, 'db.sqlite')}`
        drop = async () => rmSync(dir, { recursive: true, force: true })
      } else {
        ;({ dsn, drop } = await t.create())
      }
    })
    afterAll(async () => drop())

    it('keeps the keys with the same secret, and refuses to start with another', async () => {
      const first = await start(dsn, TEST_SECRET)
      const idKids = await kids(first, ID_TOKEN_SET)
      const atKids = await kids(first, ACCESS_TOKEN_SET)
      const token = await first.keyRing.sign(ID_TOKEN_SET, { sub: 'before-restart' })
      await first.close()
      expect(idKids).toHaveLength(1)
      expect(atKids).toHaveLength(1)

      const second = await start(dsn, TEST_SECRET)
      expect(await kids(second, ID_TOKEN_SET)).toEqual(idKids)
      expect(await kids(second, ACCESS_TOKEN_SET)).toEqual(atKids)
      await expect(second.keyRing.verify(ID_TOKEN_SET, token)).resolves.toMatchObject({ payload: { sub: 'before-restart' } })
      await second.close()

      const wrong = start(dsn, OTHER_SECRET)
      await expect(wrong).rejects.toBeInstanceOf(StartupError)
      await expect(wrong).rejects.toThrow(
        /^secrets\.system cannot decrypt the stored keys: the system secret is wrong or was removed; restore the previous secret \(rotation: add the new one first/,
      )
      const message = await wrong.then(
        () => '',
        (e: Error) => e.message,
      )
      expect(message.split('\n')).toHaveLength(1)
      await expect(start(dsn, OTHER_SECRET, { dev: true })).rejects.toThrow(/SECRETS_SYSTEM/)

      // Rotation: the new secret first, the old one after it, and everything still opens.
      const rotated = await start(dsn, `${OTHER_SECRET},${TEST_SECRET}`)
      expect(await kids(rotated, ID_TOKEN_SET)).toEqual(idKids)
      await rotated.close()
    })
  })

  describe(`concurrent first starts on ${t.name}`, () => {
    it('create exactly one key per well-known set', async () => {
      let dsn: string
      let drop: () => Promise<void>
      if (t.name === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'orthrus-keys-'))
        dsn = `sqlite://${join(dir, 'db.sqlite')}`
        drop = async () => rmSync(dir, { recursive: true, force: true })
      } else {
        ;({ dsn, drop } = await t.create())
      }
      try {
        const db = await openDb(dsn)
        await migrateUp(db)
        await db.close()
        const instances = await Promise.all([1, 2, 3, 4].map(() => start(dsn, TEST_SECRET)))
        for (const r of instances) {
          expect(await kids(r, ID_TOKEN_SET)).toHaveLength(1)
          expect(await kids(r, ACCESS_TOKEN_SET)).toHaveLength(1)
        }
        await Promise.all(instances.map((r) => r.close()))
      } finally {
        await drop()
      }
    })
  })
}
