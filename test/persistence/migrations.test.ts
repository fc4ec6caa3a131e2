import { afterEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openDb, type Db } from '../../src/persistence/db.js'
import { migrateDown, migrateUp, migrationStatus, pendingMigrations } from '../../src/persistence/migrate.js'
import { testDatabases } from '../support/databases.js'

for (const t of testDatabases()) {
  describe(`migrations on ${t.name}`, () => {
    let db: Db | undefined
    let drop: (() => Promise<void>) | undefined
    afterEach(async () => {
      await db?.close()
      await drop?.()
    })

    it('apply, report status, roll back and re-apply', async () => {
      const created = await t.create()
      drop = created.drop
      db = await openDb(created.dsn)

      const before = await migrationStatus(db)
      expect(before.length).toBeGreaterThanOrEqual(2)
      expect(before.every((m) => m.appliedAt === undefined)).toBe(true)

      const applied = await migrateUp(db)
      expect(applied).toEqual(before.map((m) => m.name))
      expect(await pendingMigrations(db)).toEqual([])
      expect((await migrationStatus(db)).every((m) => m.appliedAt instanceof Date)).toBe(true)

      // Applying again is a no-op.
      expect(await migrateUp(db)).toEqual([])

      const nets = await db.kysely.selectFrom('networks').select('id').execute()
      expect(nets).toHaveLength(1)
      expect(nets[0]?.id).toMatch(/^[0-9a-f-]{36}$/)

      const rolledBack = await migrateDown(db, before.length)
      expect(rolledBack).toEqual([...before.map((m) => m.name)].reverse())
      await expect(sql`select count(*) from hydra_client`.execute(db.kysely)).rejects.toThrow()
      expect(await pendingMigrations(db)).toEqual(before.map((m) => m.name))

      // Rolling back more steps than applied stops at the bottom.
      expect(await migrateDown(db, 3)).toEqual([])
      expect(await migrateUp(db)).toEqual(before.map((m) => m.name))
    })

    it('applies an earlier step a database lacks after a later one was applied', async () => {
      const created = await t.create()
      drop = created.drop
      db = await openDb(created.dsn)
      await migrateUp(db)
      // As if this database had been migrated by a build without 0012 but with a later step.
      const table = db.schema ? sql.table(`${db.schema}.orthrus_migration`) : sql.table('orthrus_migration')
      await sql`alter table hydra_client drop column rotated_secrets`.execute(db.kysely)
      await sql`delete from ${table} where name = '0012_client_rotated_secrets'`.execute(db.kysely)
      expect(await pendingMigrations(db)).toEqual(['0012_client_rotated_secrets'])
      expect(await migrateUp(db)).toEqual(['0012_client_rotated_secrets'])
      await sql`select rotated_secrets from hydra_client`.execute(db.kysely)
      // Rolling back undoes the step applied last first.
      expect(await migrateDown(db, 1)).toEqual(['0012_client_rotated_secrets'])
    })
  })
}

for (const t of testDatabases()) {
  describe(`0010_client_cascades on ${t.name}`, () => {
    let db: Db | undefined
    let drop: (() => Promise<void>) | undefined
    afterEach(async () => {
      await db?.close()
      await drop?.()
    })

    it('deletes orphan rows, then cascades a client delete to its tokens and logout requests; down keeps the rows', async () => {
      const created = await t.create()
      drop = created.drop
      db = await openDb(created.dsn)
      const names = (await migrationStatus(db)).map((m) => m.name)
      await migrateUp(db)
      // Back to just before the step, with rows it has to deal with.
      const after = names.length - names.indexOf('0010_client_cascades')
      await migrateDown(db, after)
      const k = db.kysely
      const nid = (await k.selectFrom('networks').select('id').executeTakeFirstOrThrow()).id
      const now = new Date()
      await sql`insert into hydra_client (pk, nid, id, client_name, client_secret, redirect_uris, grant_types, response_types, scope,
          audience, owner, policy_uri, tos_uri, client_uri, logo_uri, contacts, client_secret_expires_at, sector_identifier_uri,
          jwks_uri, request_uris, token_endpoint_auth_method, token_endpoint_auth_signing_alg, request_object_signing_alg,
          userinfo_signed_response_alg, subject_type, allowed_cors_origins, frontchannel_logout_uri,
          frontchannel_logout_session_required, post_logout_redirect_uris, backchannel_logout_uri,
          backchannel_logout_session_required, registration_access_token_signature, skip_consent, skip_logout_consent,
          access_token_strategy, created_at, updated_at)
        values ('7f0c1a5e-0000-4000-8000-000000000001', ${nid}, 'kept', '', '', '[]', '[]', '[]', '', '[]', '', '', '', '', '', '[]', 0, '',
          '', '[]', 'none', '', '', '', 'public', '[]', '', ${false}, '[]', '', ${false}, '', ${false}, ${false}, '', ${now}, ${now})`.execute(k)
      const token = (signature: string, client: string) =>
        ({ signature, nid, request_id: signature, requested_at: now, client_id: client, scope: '', granted_scope: '', requested_audience: '',
          granted_audience: '', form_data: '', session_data: '', subject: 's', active: true, challenge_id: null, expires_at: now })
      const logout = (challenge: string, client: string | null) =>
        ({ challenge, nid, subject: 's', sid: 'x', client_id: client, request_url: '', redir_url: '', csrf: '', rp_initiated: false,
          accepted: false, rejected: false, was_used: false, requested_at: now, expires_at: now })
      await k.insertInto('hydra_oauth2_access').values([token('a1', 'kept'), token('a2', 'gone')]).execute()
      await k.insertInto('hydra_oauth2_refresh').values([token('r1', 'kept'), token('r2', 'gone')]).execute()
      await k.insertInto('hydra_oauth2_logout_request').values([logout('l1', 'kept'), logout('l2', 'gone'), logout('l3', null)]).execute()

      expect(await migrateUp(db)).toContain('0010_client_cascades')
      const signatures = async (table: 'hydra_oauth2_access' | 'hydra_oauth2_refresh') =>
        (await k.selectFrom(table).select('signature').orderBy('signature').execute()).map((r) => r.signature)
      const challenges = async () =>
        (await k.selectFrom('hydra_oauth2_logout_request').select('challenge').orderBy('challenge').execute()).map((r) => r.challenge)
      expect(await signatures('hydra_oauth2_access')).toEqual(['a1'])
      expect(await signatures('hydra_oauth2_refresh')).toEqual(['r1'])
      expect(await challenges()).toEqual(['l1', 'l3'])

      // Down and up again keep the rows (SQLite rebuilds the tables both ways).
      await migrateDown(db, after)
      expect(await signatures('hydra_oauth2_access')).toEqual(['a1'])
      await migrateUp(db)
      expect(await signatures('hydra_oauth2_refresh')).toEqual(['r1'])
      // An orphan cannot be written any more, and deleting the client takes its rows.
      await expect(k.insertInto('hydra_oauth2_access').values(token('a3', 'gone')).execute()).rejects.toThrow()
      await k.deleteFrom('hydra_client').where('id', '=', 'kept').execute()
      expect(await signatures('hydra_oauth2_access')).toEqual([])
      expect(await signatures('hydra_oauth2_refresh')).toEqual([])
      expect(await challenges()).toEqual(['l3'])
    })
  })
}
