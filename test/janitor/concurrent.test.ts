// The janitor beside a live server: 100 000 expired access tokens are removed in small batches
// while client_credentials token requests and introspections keep being served, every one 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planJanitor, runJanitor } from '../../src/janitor/janitor.js'
import { openDb, type Db } from '../../src/persistence/db.js'
import { SqlJanitorStore } from '../../src/persistence/sql/janitor-store.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { HOUR, ago, bulkInsertAccess, countRows } from './seed.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

for (const t of testDatabases()) {
  const seeded = 100_000
  describe(`janitor beside live traffic on ${t.name}`, () => {
    let env: TestApps
    let janitorDb: Db
    let client: { id: string; secret: string }

    beforeAll(async () => {
      env = await testApps(t)
      // SQLite "memory" is one connection's database: the janitor shares the server's handle.
      // Elsewhere it has its own pool, as a separate `orthrus janitor` process would.
      janitorDb = t.name === 'sqlite' ? env.registry.db : await openDb(env.registry.config.dsn)
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: ['client_credentials'], scope: 'read' } })
      expect(res.statusCode).toBe(201)
      client = { id: res.json().client_id, secret: res.json().client_secret }
      await bulkInsertAccess(env.registry.db.kysely, env.registry.nid, seeded, { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR), clientId: client.id })
    }, 120_000)
    afterAll(async () => {
      if (janitorDb !== env.registry.db) await janitorDb.close()
      await env.close()
    })

    it(`removes ${seeded} expired tokens while token requests and introspections all succeed`, async () => {
      expect(await countRows(env.registry.db.kysely, 'hydra_oauth2_access')).toBe(seeded)
      let done = false
      const issued: string[] = []
      const statuses: number[] = []
      const traffic = (async () => {
        while (!done) {
          const tok = await env.public.inject({
            method: 'POST',
            url: '/oauth2/token',
            headers: { ...FORM, authorization: basic(client.id, client.secret) },
            payload: 'grant_type=client_credentials&scope=read',
          })
          statuses.push(tok.statusCode)
          if (tok.statusCode !== 200) continue
          const token = tok.json().access_token as string
          issued.push(token)
          const info = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(token)}` })
          statuses.push(info.statusCode)
          expect(info.json().active).toBe(true)
        }
      })()

      const steps = planJanitor({
        kinds: ['tokens'],
        now: new Date(),
        keepIfYounger: 0,
        ttl: { accessToken: HOUR, refreshToken: 720 * HOUR, authCode: 600_000, loginConsentRequest: 1_800_000 },
      })
      let batches = 0
      let results
      try {
        results = await runJanitor(new SqlJanitorStore(janitorDb, env.registry.nid), steps, {
          limit: 200_000,
          batchSize: 100,
          onProgress: () => void batches++,
        })
      } finally {
        done = true
        await traffic
      }

      expect(results.find((r) => r.step.target === 'access')?.removed).toBe(seeded)
      expect(batches).toBeGreaterThanOrEqual(seeded / 100)
      // The server kept answering throughout, and every answer was a success.
      expect(issued.length).toBeGreaterThan(5)
      expect(statuses.filter((s) => s !== 200)).toEqual([])
      // Only the tokens issued during the run are left, and they still work.
      expect(await countRows(env.registry.db.kysely, 'hydra_oauth2_access')).toBe(issued.length)
      for (const token of issued.slice(-3)) {
        const info = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: `token=${encodeURIComponent(token)}` })
        expect(info.json().active).toBe(true)
      }
    }, 120_000)
  })
}
