// oauth2.session.encrypt_at_rest: with false, token sessions are stored as plaintext JSON (and
// the start-up says so loudly); either setting reads rows the other one wrote, as Hydra does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { appsOn, type TestApps } from '../support/app.js'
import { lastingDatabase, testDatabases } from '../support/databases.js'
import { basic, createCcClient, tokenRequest } from '../observability/helpers.js'
import { introspect } from '../support/tokens.js'

// ory_at_<key>.<signature>: the row is keyed by the signature.
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1)

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
    const issue = async (env: TestApps): Promise<string> => {
      const cc = await createCcClient(env)
      const res = await tokenRequest(env, { grant_type: 'client_credentials', scope: 'read' }, basic(cc.client_id, cc.client_secret))
      expect(res.statusCode, res.body).toBe(200)
      return (res.json() as { access_token: string }).access_token
    }
    const stored = (env: TestApps, token: string) =>
      env.registry.db.kysely.selectFrom('hydra_oauth2_access').select('session_data').where('signature', '=', signatureOf(token)).executeTakeFirstOrThrow()
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
