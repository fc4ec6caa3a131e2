// `orthrus janitor` as a user runs it: the built binary against a SQLite file.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../src/persistence/db.js'
import { firstNetwork } from '../../src/persistence/sql/janitor-store.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { HOUR, ago, bulkInsertAccess, countRows, tokenRow } from '../janitor/seed.js'
import { runCli } from '../support/cli.js'
import { sampleClient } from '../support/fixtures.js'

describe('orthrus janitor (built binary, SQLite file)', () => {
  let dir: string
  let dsn: string
  let db: Db
  let nid: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orthrus-janitor-'))
    dsn = `sqlite://${join(dir, 'db.sqlite')}`
    const migrated = await runCli(['migrate', 'sql', 'up', dsn, '--yes'])
    expect(migrated.code, migrated.stderr).toBe(0)
    db = await openDb(dsn)
    nid = (await firstNetwork(db))!
    // seed.ts's default client id: token rows reference their client.
    await new SqlClientStore(db.kysely, nid).create(sampleClient({ client_id: 'janitor-client' }))
  }, 60_000)
  afterAll(async () => {
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    await db.kysely.deleteFrom('hydra_oauth2_access').execute()
    await db.kysely.deleteFrom('hydra_oauth2_jti_blacklist').execute()
    await db.kysely.deleteFrom('hydra_oauth2_trusted_jwt_bearer_issuer').execute()
  })

  it('removes expired rows of the kinds asked for and prints a summary', async () => {
    await bulkInsertAccess(db.kysely, nid, 57, { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR) })
    await db.kysely.insertInto('hydra_oauth2_access').values(tokenRow(nid, 'valid', { requestedAt: ago(60_000), expiresAt: ago(-HOUR) })).execute()
    await db.kysely.insertInto('hydra_oauth2_trusted_jwt_bearer_issuer').values({
      id: randomUUID(), nid, issuer: 'https://old', subject: 's', allow_any_subject: false, scope: '[]', key_set: 'https://old', key_id: 'k',
      key_data: 'sealed', created_at: ago(10 * HOUR), expires_at: ago(HOUR),
    }).execute()

    const res = await runCli(['janitor', dsn, '--tokens', '--batch-size', '10'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('Janitor run on access tokens: done')
    expect(res.stdout).toMatch(/tokens\s+access tokens\s+57\n/)
    expect(res.stdout).toContain('Removed 57 row(s) of tokens.')
    // Not a TTY: no progress lines on stderr.
    expect(res.stderr).toBe('')
    expect(await countRows(db.kysely, 'hydra_oauth2_access')).toBe(1)
    // --grants was not given: the expired trust relationship is still there.
    expect(await countRows(db.kysely, 'hydra_oauth2_trusted_jwt_bearer_issuer')).toBe(1)

    const grants = await runCli(['janitor', dsn, '--grants', '--requests'])
    expect(grants.code, grants.stderr).toBe(0)
    expect(grants.stdout).toMatch(/grants\s+trust relationships\s+1\n/)
    expect(grants.stdout).toContain('Removed 1 row(s) of grants.')
    expect(grants.stdout).toContain('Removed 0 row(s) of requests.')
    expect(await countRows(db.kysely, 'hydra_oauth2_trusted_jwt_bearer_issuer')).toBe(0)
  }, 60_000)

  it('honours --limit and --keep-if-younger', async () => {
    await bulkInsertAccess(db.kysely, nid, 30, { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR) })
    await bulkInsertAccess(db.kysely, nid, 5, { requestedAt: ago(50 * HOUR), expiresAt: ago(49 * HOUR) }, 'old')
    const kept = await runCli(['janitor', dsn, '--tokens', '--keep-if-younger', '24h'])
    expect(kept.code, kept.stderr).toBe(0)
    expect(kept.stdout).toContain('Removed 5 row(s) of tokens.')
    const limited = await runCli(['janitor', dsn, '--tokens', '--limit', '12', '--batch-size', '5'])
    expect(limited.code, limited.stderr).toBe(0)
    expect(limited.stdout).toContain('Removed 12 row(s) of tokens.')
    expect(await countRows(db.kysely, 'hydra_oauth2_access')).toBe(18)
  }, 60_000)

  it('reads the DSN from the environment with -e and from a config file with -c', async () => {
    await db.kysely.insertInto('hydra_oauth2_jti_blacklist').values({ signature: 'j1', nid, expires_at: ago(HOUR) }).execute()
    const env = await runCli(['janitor', '-e', '--tokens'], { env: { DSN: dsn } })
    expect(env.code, env.stderr).toBe(0)
    expect(env.stdout).toMatch(/used assertion jtis\s+1\n/)

    await db.kysely.insertInto('hydra_oauth2_jti_blacklist').values({ signature: 'j2', nid, expires_at: ago(HOUR) }).execute()
    const file = join(dir, 'orthrus.yaml')
    await writeFile(file, `dsn: ${dsn}\nttl:\n  access_token: 2h\n`)
    const cfg = await runCli(['janitor', '-c', file, '--tokens'])
    expect(cfg.code, cfg.stderr).toBe(0)
    expect(cfg.stdout).toMatch(/used assertion jtis\s+1\n/)
  }, 60_000)

  it('refuses to run without a kind, with bad numbers, or without a database', async () => {
    const none = await runCli(['janitor', dsn])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('at least one of --tokens, --requests or --grants')

    const zero = await runCli(['janitor', dsn, '--tokens', '--limit', '0'])
    expect(zero.code).toBe(1)
    expect(zero.stderr).toContain('--limit')

    const bigBatch = await runCli(['janitor', dsn, '--tokens', '--limit', '10', '--batch-size', '20'])
    expect(bigBatch.code).toBe(1)
    expect(bigBatch.stderr).toContain('must not be greater than --limit')

    const badDuration = await runCli(['janitor', dsn, '--tokens', '--keep-if-younger', 'soon'])
    expect(badDuration.code).toBe(1)
    expect(badDuration.stderr).toContain('not a duration')

    const noDb = await runCli(['janitor', '--tokens'])
    expect(noDb.code).toBe(1)
    expect(noDb.stderr).toContain('no database')

    const noEnv = await runCli(['janitor', '-e', '--tokens'])
    expect(noEnv.code).toBe(1)
    expect(noEnv.stderr).toContain('DSN environment variable is not set')
  }, 60_000)
})
