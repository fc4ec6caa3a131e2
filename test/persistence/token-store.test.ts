import { randomUUID } from 'node:crypto'
import { sql, type RawBuilder } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredToken } from '../../src/oauth2/store.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { SqlTokenStore } from '../../src/persistence/sql/token-store.js'
import type { Db } from '../../src/persistence/db.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { sampleClient } from '../support/fixtures.js'

const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000)

function record(overrides: Partial<StoredToken> = {}): StoredToken {
  return {
    signature: randomUUID(),
    requestId: randomUUID(),
    requestedAt: seconds(Date.now()),
    clientId: 'client-a',
    requestedScope: ['read', 'write'],
    grantedScope: ['read'],
    requestedAudience: ['https://api.example'],
    grantedAudience: ['https://api.example'],
    form: { grant_type: 'client_credentials', scope: 'read write' },
    sessionData: 'v1.sealed-elsewhere',
    subject: 'client-a',
    active: true,
    challengeId: null,
    expiresAt: seconds(Date.now() + 3_600_000),
    ...overrides,
  }
}

/** Runs statements with foreign-key enforcement off, on one connection of the database. */
async function withoutForeignKeys(db: Db, work: (run: (q: RawBuilder<unknown>) => Promise<unknown>) => Promise<void>): Promise<void> {
  if (db.dialect === 'sqlite') {
    // SQLite changes this pragma only outside a transaction; the main connection is the only one.
    await sql`pragma foreign_keys = off`.execute(db.kysely)
    try {
      await work((q) => q.execute(db.kysely))
    } finally {
      await sql`pragma foreign_keys = on`.execute(db.kysely)
    }
    return
  }
  await db.kysely.connection().execute(async (conn) => {
    const off = db.dialect === 'postgres' ? sql`set session_replication_role = replica` : sql`set foreign_key_checks = 0`
    const on = db.dialect === 'postgres' ? sql`set session_replication_role = default` : sql`set foreign_key_checks = 1`
    await off.execute(conn)
    try {
      await work((q) => q.execute(conn))
    } finally {
      await on.execute(conn)
    }
  })
}

for (const t of testDatabases()) {
  describe(`token store on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let store: SqlTokenStore
    let nid: string

    beforeAll(async () => {
      const m = await migratedDb(t)
      db = m.db
      cleanup = m.cleanup
      nid = await networkId(db)
      // As the server builds it: on SQLite, lookups by signature go through the row reader.
      store = new SqlTokenStore(db.kysely, nid, undefined, db.rowReader)
      // Token rows reference their client (deleting a client cascades to its tokens).
      const clients = new SqlClientStore(db.kysely, nid)
      for (const id of ['client-a', 'doomed', 'survivor']) await clients.create(sampleClient({ client_id: id }))
    })
    afterAll(async () => cleanup())

    it('does not find a token whose client row is gone, even where nothing cascaded', async () => {
      const clients = new SqlClientStore(db.kysely, await networkId(db))
      await clients.create(sampleClient({ client_id: 'orphaned' }))
      const access = record({ clientId: 'orphaned', subject: 'orphaned' })
      const refresh = record({ clientId: 'orphaned', subject: 'orphaned' })
      await store.create('access', access)
      await store.create('refresh', refresh)
      expect(await store.get('access', access.signature)).toEqual(access)
      // The client row alone goes, its tokens stay (as a database without the cascade would leave them).
      await withoutForeignKeys(db, async (run) => {
        await run(sql`delete from hydra_client where id = ${'orphaned'}`)
      })
      expect(await db.kysely.selectFrom('hydra_oauth2_access').select('signature').where('signature', '=', access.signature).executeTakeFirst()).toBeDefined()
      expect(await store.get('access', access.signature)).toBeUndefined()
      expect(await store.get('refresh', refresh.signature)).toBeUndefined()
    })

    it('does not see a token written by a transaction still open, which then rolls back', async () => {
      const r = record()
      let read: Promise<StoredToken | undefined> | undefined
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await new SqlTokenStore(trx, nid).create('access', r)
          read = store.get('access', r.signature)
          throw new Error('roll back')
        }),
      ).rejects.toThrow('roll back')
      expect(await read).toBeUndefined()
      expect(await store.get('access', r.signature)).toBeUndefined()
    })

    it('stores and finds a token by signature, with lists joined as Hydra joins them', async () => {
      const r = record()
      await store.create('access', r)
      expect(await store.get('access', r.signature)).toEqual(r)
      expect(await store.get('refresh', r.signature)).toBeUndefined()
      expect(await store.get('access', 'unknown')).toBeUndefined()
      const raw = await db.kysely.selectFrom('hydra_oauth2_access').selectAll().where('signature', '=', r.signature).executeTakeFirstOrThrow()
      expect(raw.session_data).toBe('v1.sealed-elsewhere')
      expect(raw.granted_scope).toBe('read')
      expect(raw.scope).toBe('read|write')
    })

    it('keeps empty lists empty and refresh tokens without expiry', async () => {
      const r = record({ requestedScope: [], grantedScope: [], requestedAudience: [], grantedAudience: [], expiresAt: null })
      await store.create('refresh', r)
      expect(await store.get('refresh', r.signature)).toEqual(r)
    })

    it('revokes a request: access tokens deleted, refresh tokens deactivated', async () => {
      const requestId = randomUUID()
      const access = record({ requestId })
      const refresh = record({ requestId })
      const bystander = record()
      await store.create('access', access)
      await store.create('refresh', refresh)
      await store.create('access', bystander)
      await store.revokeRequest(requestId)
      expect(await store.get('access', access.signature)).toBeUndefined()
      expect((await store.get('refresh', refresh.signature))?.active).toBe(false)
      expect(await store.get('access', bystander.signature)).toBeDefined()
    })

    it('deletes all tokens of a client', async () => {
      const mine = [record({ clientId: 'doomed' }), record({ clientId: 'doomed' })]
      const other = record({ clientId: 'survivor' })
      await store.create('access', mine[0]!)
      await store.create('refresh', mine[1]!)
      await store.create('access', other)
      expect(await store.deleteClientTokens('doomed')).toBe(2)
      expect(await store.get('access', mine[0]!.signature)).toBeUndefined()
      expect(await store.get('refresh', mine[1]!.signature)).toBeUndefined()
      expect(await store.get('access', other.signature)).toBeDefined()
    })

    it('records a jti once until it expires', async () => {
      const now = new Date()
      const jti = randomUUID()
      expect(await store.useJti(jti, new Date(now.getTime() + 60_000), now)).toBe(true)
      expect(await store.useJti(jti, new Date(now.getTime() + 60_000), now)).toBe(false)
      // Once the first record has expired the jti may be used again, and is then recorded anew.
      const later = new Date(now.getTime() + 120_000)
      expect(await store.useJti(jti, new Date(later.getTime() + 60_000), later)).toBe(true)
      expect(await store.useJti(jti, new Date(later.getTime() + 60_000), later)).toBe(false)
    })

    it('lets exactly one of many concurrent uses of a jti through', async () => {
      const now = new Date()
      const jti = randomUUID()
      const results = await Promise.all(Array.from({ length: 10 }, () => store.useJti(jti, new Date(now.getTime() + 60_000), now)))
      expect(results.filter(Boolean)).toHaveLength(1)
    })
  })
}
