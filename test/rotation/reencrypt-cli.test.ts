// `orthrus secrets reencrypt` as an operator runs it: the built binary against a SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'
import { testDatabases } from '../support/databases.js'
import { appsOn, issue, introspect, m2mClient, sharedDatabase } from './support.js'

const OLD = 'the-old-system-secret-32-chars!!'
const NEW = 'the-new-system-secret-32-chars!!'

describe('orthrus secrets reencrypt (built binary, SQLite file)', () => {
  let dsn: string
  let drop: () => Promise<void>
  beforeAll(async () => {
    ;({ dsn, drop } = await sharedDatabase(testDatabases()[0]!))
  })
  afterAll(async () => drop())

  it('re-seals what the old secret sealed, after which the old secret can be removed', async () => {
    const before = await appsOn(dsn, { SECRETS_SYSTEM: OLD })
    const client = await m2mClient(before, { access_token_strategy: 'jwt' })
    const token = await issue(before, client)
    await before.close()

    const noSecret = await runCli(['secrets', 'reencrypt', dsn])
    expect(noSecret.code).toBe(1)
    expect(noSecret.stderr).toContain('secrets.system is not set')

    const res = await runCli(['secrets', 'reencrypt', '-e'], { env: { DSN: dsn, SECRETS_SYSTEM: `${NEW},${OLD}` } })
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/JSON Web Keys\s+2\s+0\s+0\n/)
    expect(res.stdout).toMatch(/access token sessions\s+1\s+0\s+0\n/)
    expect(res.stdout).toContain('now opens with the first secret')

    const again = await runCli(['secrets', 'reencrypt', dsn], { env: { SECRETS_SYSTEM: `${NEW},${OLD}` } })
    expect(again.stdout).toMatch(/JSON Web Keys\s+0\s+2\s+0\n/)

    // With a secret that opens nothing, values are reported unreadable and left alone.
    const stranger = await runCli(['secrets', 'reencrypt', dsn], { env: { SECRETS_SYSTEM: 'a-stranger-secret-of-32-chars!!!' } })
    expect(stranger.code).toBe(0)
    expect(stranger.stdout).toMatch(/JSON Web Keys\s+0\s+0\s+2\n/)
    expect(stranger.stdout).toContain('open with none of the configured secrets')

    const after = await appsOn(dsn, { SECRETS_SYSTEM: NEW })
    try {
      expect((await introspect(after, token)).active).toBe(true)
    } finally {
      await after.close()
    }
  }, 60_000)
})
