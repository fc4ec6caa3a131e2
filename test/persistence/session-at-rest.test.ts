// oauth2.session.encrypt_at_rest: with false, token sessions are stored as plaintext JSON (and
// the start-up says so loudly); either setting reads rows the other one wrote, as Hydra does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { appsOn, type TestApps } from '../support/app.js'
import { lastingDatabase, testDatabases } from '../support/databases.js'
import { basic, createCcClient, tokenRequest } from '../observability/helpers.js'
import { introspect } from '../support/tokens.js'

describe('oauth2.session.encrypt_at_rest = false', () => {
  it('warns loudly at start-up', () => {
    const env = { DSN: 'memory', URLS_SELF_ISSUER: 'https://auth.example.com/', SECRETS_SYSTEM: 'system-secret-0123456789' }
    expect(loadConfig({ env }).warnings).toEqual([])
    expect(loadConfig({ env: { ...env, OAUTH2_SESSION_ENCRYPT_AT_REST: 'false' } }).warnings).toEqual([
      expect.stringMatching(/^oauth2\.session\.encrypt_at_rest = false: .* stored UNENCRYPTED/),
    ])
  })
})

for (const t of testDatabases()) {
  describe(`session data at rest on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    beforeAll(async () => {
      // Several servers one after the other on one database.
      ;({ dsn, drop } = await lastingDatabase(t))
    })
    afterAll(() => drop())

    const withApps = async <T>(encrypt: boolean, fn: (env: TestApps) => Promise<T>): Promise<T> => {
      const env = await appsOn(dsn, { OAUTH2_SESSION_ENCRYPT_AT_REST: String(encrypt) })
      try {
        return await fn(env)
      } finally {
        await env.close()
      }
    }
    // JWT access tokens: their session holds the signing key id, so there is something to seal.
    const issue = async (env: TestApps, metadata: Record<string, unknown> = { access_token_strategy: 'jwt' }): Promise<string> => {
      const cc = await createCcClient(env, metadata)
      const res = await tokenRequest(env, { grant_type: 'client_credentials', scope: 'read' }, basic(cc.client_id, cc.client_secret))
      expect(res.statusCode, res.body).toBe(200)
      const token = (res.json() as { access_token: string }).access_token
      clientOf.set(token, cc.client_id)
      return token
    }
    const clientOf = new Map<string, string>()
    // Each client here gets one token: its row is found by the client (a JWT's row is keyed by a digest).
    const stored = (env: TestApps, token: string) =>
      env.registry.db.kysely.selectFrom('hydra_oauth2_access').select('session_data').where('client_id', '=', clientOf.get(token) ?? '').executeTakeFirstOrThrow()
    const active = async (env: TestApps, token: string): Promise<boolean> => (await introspect(env, token)).active

    it('stores plaintext JSON when off, sealed values when on, and reads both either way', async () => {
      const plain = await withApps(false, async (env) => {
        const token = await issue(env)
        const row = await stored(env, token)
        expect(row.session_data.startsWith('{')).toBe(true)
        expect(JSON.parse(row.session_data)).toMatchObject({ ext: {} })
        expect(await active(env, token)).toBe(true)
        return token
      })
      const sealed = await withApps(true, async (env) => {
        const token = await issue(env)
        expect((await stored(env, token)).session_data).toMatch(/^v1\./)
        // A session that holds nothing (an opaque client_credentials token) has nothing to hide.
        const opaque = await issue(env, {})
        expect((await stored(env, opaque)).session_data).toBe('{"ext":{}}')
        expect(await active(env, opaque)).toBe(true)
        // The row written in plaintext is still read.
        expect(await active(env, plain)).toBe(true)
        return token
      })
      await withApps(false, async (env) => {
        expect(await active(env, sealed)).toBe(true)
        expect(await active(env, plain)).toBe(true)
      })
    })
  })
}
