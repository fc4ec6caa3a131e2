// Deleting a client revokes everything issued to it (Hydra cascades): its tokens stop
// introspecting, its refresh tokens stop refreshing, userinfo refuses its access tokens, and a
// client recreated under the same id does not bring any of them back. On every database, with
// the foreign keys and without them (the explicit deletes alone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, acceptLogin, createClient, fullFlow, startFlow } from '../support/flow.js'
import { introspect, tokenCall } from '../support/tokens.js'

type Tokens = Record<string, string>

const CLIENT_ID = 'deleted-and-recreated'

for (const t of testDatabases()) {
  describe(`deleting a client on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    const publicClient = (id: string) => createClient(env, { client_id: id, token_endpoint_auth_method: 'none' })

    async function tokensFor(id: string): Promise<Tokens> {
      const q = await fullFlow(env, new CookieJar(), id, { login: { subject: 'alice' } })
      const res = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '', client_id: id })
      expect(res.statusCode, res.body).toBe(200)
      return res.json()
    }

    const userinfo = (token: string) => env.public.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })
    const deleteClient = async (id: string) => {
      const res = await env.admin.inject({ method: 'DELETE', url: `/admin/clients/${id}` })
      expect(res.statusCode, res.body).toBe(204)
    }
    const rowsOf = async (table: string, id: string) =>
      Number(
        (await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where client_id = ${id}`.execute(env.registry.db.kysely))
          .rows[0]?.n,
      )

    async function deleteRecreateAndCheck(id: string) {
      await publicClient(id)
      const first = await tokensFor(id)
      const refreshed = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '', client_id: id })
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      const tokens = refreshed.json<Tokens>()
      expect((await introspect(env, tokens.access_token ?? '')).active).toBe(true)
      expect((await userinfo(tokens.access_token ?? '')).statusCode).toBe(200)
      // Something in flight as well: an open login flow.
      await acceptLogin(env, await startFlow(env, new CookieJar(), id))

      await deleteClient(id)
      for (const table of ['hydra_oauth2_access', 'hydra_oauth2_refresh', 'hydra_oauth2_code', 'hydra_oauth2_flow']) {
        expect(await rowsOf(table, id), table).toBe(0)
      }
      expect((await introspect(env, tokens.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, tokens.refresh_token ?? '')).active).toBe(false)
      expect((await userinfo(tokens.access_token ?? '')).statusCode).toBe(401)

      // The same client_id again: nothing of the old client comes back.
      await publicClient(id)
      const again = await tokenCall(env, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', client_id: id })
      expect(again.statusCode, again.body).toBe(400)
      expect(again.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await introspect(env, tokens.access_token ?? '')).active).toBe(false)
      expect((await introspect(env, tokens.refresh_token ?? '')).active).toBe(false)
      expect((await userinfo(tokens.access_token ?? '')).statusCode).toBe(401)
    }

    it('revokes its tokens, codes and flows, also for a client recreated under the same id', async () => {
      await deleteRecreateAndCheck(CLIENT_ID)
    })

    it('revokes them without the foreign keys too (explicit deletes)', async () => {
      const db = env.registry.db.kysely
      const tables = ['hydra_oauth2_access', 'hydra_oauth2_refresh', 'hydra_oauth2_code', 'hydra_oauth2_flow']
      if (t.name === 'sqlite') {
        // SQLite enforces foreign keys per connection; the test database is one connection.
        await sql`pragma foreign_keys = off`.execute(db)
        try {
          await deleteRecreateAndCheck(`${CLIENT_ID}-nofk`)
        } finally {
          await sql`pragma foreign_keys = on`.execute(db)
        }
      } else {
        // Drop the cascades for this test, as on a database that never had them.
        const drop = async (table: string, name: string) =>
          t.name === 'mysql'
            ? sql`alter table ${sql.table(table)} drop foreign key ${sql.ref(name)}`.execute(db)
            : sql`alter table ${sql.table(table)} drop constraint ${sql.ref(name)}`.execute(db)
        const fks: Array<[string, string]> = [
          ['hydra_oauth2_access', 'hydra_oauth2_access_client_fk'],
          ['hydra_oauth2_refresh', 'hydra_oauth2_refresh_client_fk'],
          ['hydra_oauth2_code', 'hydra_oauth2_code_client_fk'],
          ['hydra_oauth2_flow', 'hydra_oauth2_flow_client_fk'],
        ]
        for (const [table, name] of fks) await drop(table, name)
        expect(tables).toHaveLength(fks.length)
        await deleteRecreateAndCheck(`${CLIENT_ID}-nofk`)
      }
    })
  })
}
