// Durability: a token the server answered 200 for must survive the process being killed right
// after (SIGKILL: no graceful close, no flush). The built binary runs under a load of concurrent
// client_credentials requests and is killed mid-load; after a restart on the same database every
// recorded token must introspect active. On SQLite this exercises WAL + the group commit of
// persistence/sqlite-writer.ts (a 200 only after its batch committed). Login/consent flows begun
// before the kill must not break flows after it, and the migration state stays clean.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../src/persistence/db.js'
import { testDatabases } from '../support/databases.js'
import {
  CONSENT_URL,
  CookieJar,
  LOGIN_URL,
  REDIRECT_URI,
  adminJson,
  basic,
  browse,
  clientCredentials,
  createClient,
  form,
  inactiveTokens,
  introspect,
  migrate,
  migrationsClean,
  startInstance,
  type Client,
  type ServerProcess,
} from './helpers.js'

const IN_FLIGHT = 20
/** Kill once this many tokens were answered (the load keeps running up to the kill). */
const KILL_AFTER = 300

interface Target {
  name: string
  create(): Promise<{ dsn: string; drop(): Promise<void> }>
}

const dir = mkdtempSync(join(tmpdir(), 'orthrus-sigkill-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const targets: Target[] = [
  {
    name: 'sqlite (file)',
    async create() {
      return { dsn: `sqlite://${join(dir, `orthrus-${Date.now()}.sqlite`)}?_fk=true`, drop: async () => undefined }
    },
  },
]
// The servers of PostgreSQL and MySQL/MariaDB when configured (the in-memory SQLite of
// testDatabases() would not survive a restart; the file above stands in for it).
for (const t of testDatabases()) if (t.name !== 'sqlite') targets.push({ name: t.name, create: () => t.create() })
if (targets.length === 1) console.log('sigkill: server databases skipped (set TEST_DATABASE_POSTGRESQL / TEST_DATABASE_MYSQL to include them)')

/** Runs client_credentials requests IN_FLIGHT at a time until a request fails (the server died). */
function load(server: ServerProcess, client: Client, onToken: (t: string) => void): Promise<{ failures: number }> {
  let failures = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      let res: Awaited<ReturnType<typeof clientCredentials>>
      try {
        res = await clientCredentials(server.publicUrl, client)
      } catch {
        failures++
        return // connection refused or reset: the process is gone
      }
      // Anything but 200 while the server is alive is a bug of its own.
      expect(res.status, JSON.stringify(res.json)).toBe(200)
      onToken(String(res.json.access_token))
    }
  }
  return Promise.all(Array.from({ length: IN_FLIGHT }, worker)).then(() => ({ failures }))
}

/** Starts an authorization code flow and returns where it stands after the login was accepted. */
async function flowUntilConsent(server: ServerProcess, client: Client, jar: CookieJar, subject: string): Promise<string> {
  const auth = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: 'state-0123456789' })
  const toLogin = await browse(jar, server.publicUrl, `/oauth2/auth?${auth.toString()}`)
  expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
  const challenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
  const accepted = await adminJson(server.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, {
    subject,
    remember: true,
  })
  expect(accepted.status, JSON.stringify(accepted.json)).toBe(200)
  const toConsent = await browse(jar, server.publicUrl, (accepted.json as { redirect_to: string }).redirect_to)
  expect(toConsent.location.startsWith(CONSENT_URL), toConsent.location).toBe(true)
  return new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
}

/** Accepts the consent, follows the verifier, exchanges the code; returns the token response. */
async function finishFlow(server: ServerProcess, client: Client, jar: CookieJar, consentChallenge: string): Promise<Record<string, unknown>> {
  const granted = await adminJson(server.adminUrl, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
    grant_scope: ['openid', 'offline'],
  })
  expect(granted.status, JSON.stringify(granted.json)).toBe(200)
  const callback = await browse(jar, server.publicUrl, (granted.json as { redirect_to: string }).redirect_to)
  expect(callback.status).toBe(303)
  expect(callback.location.startsWith(`${REDIRECT_URI}?`), callback.location).toBe(true)
  const code = new URL(callback.location).searchParams.get('code') ?? ''
  const tokens = await form(`${server.publicUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, {
    authorization: basic(client.client_id, client.client_secret),
  })
  expect(tokens.status, JSON.stringify(tokens.json)).toBe(200)
  return tokens.json
}

for (const target of targets) {
  describe(`SIGKILL under load on ${target.name}`, () => {
    let server: ServerProcess | undefined
    let drop: () => Promise<void> = async () => undefined
    afterAll(async () => {
      await server?.stop('SIGKILL')
      await drop()
    })

    it('keeps every token it answered 200 for, and flows work after the restart', async () => {
      const db = await target.create()
      drop = db.drop
      await migrate(db.dsn)
      server = await startInstance(db.dsn)
      const first = server
      const machine = await createClient(first.adminUrl, { grant_types: ['client_credentials'] })
      const webApp = await createClient(first.adminUrl, {
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline',
      })

      // A flow left half-way (login accepted, consent pending) when the process dies.
      const jar = new CookieJar()
      const pendingConsent = await flowUntilConsent(first, webApp, jar, 'before-kill')

      const tokens: string[] = []
      let killed: Promise<number | null> | undefined
      const running = load(first, machine, (t) => {
        tokens.push(t)
        if (tokens.length >= KILL_AFTER && !killed) killed = first.stop('SIGKILL')
      })
      const { failures } = await running
      expect(killed, 'the load ended before the kill').toBeDefined()
      await killed
      // Every worker stopped on a dead connection, that is, had a request in flight at the kill.
      expect(failures).toBe(IN_FLIGHT)
      expect(new Set(tokens).size).toBe(tokens.length)

      server = await startInstance(db.dsn)
      const second = server
      const lost = await inactiveTokens(second.adminUrl, tokens, IN_FLIGHT)
      expect(lost.length, `${lost.length} of ${tokens.length} tokens answered 200 before the kill are gone`).toBe(0)

      // The flow begun before the kill can still be finished, and its browser can start another.
      const resumed = await finishFlow(second, webApp, jar, pendingConsent)
      expect(await introspect(second.adminUrl, String(resumed.access_token))).toMatchObject({ active: true, sub: 'before-kill' })
      const freshJar = new CookieJar()
      const fresh = await finishFlow(second, webApp, freshJar, await flowUntilConsent(second, webApp, freshJar, 'after-kill'))
      expect(await introspect(second.adminUrl, String(fresh.access_token))).toMatchObject({ active: true, sub: 'after-kill' })
      expect((await clientCredentials(second.publicUrl, machine)).status).toBe(200)

      await second.stop()
      server = undefined
      await migrationsClean(db.dsn)
    }, 120_000)
  })
}

// A SIGKILL cannot lose a commit SQLite has written to the WAL (the OS still holds it); a power
// cut or kernel crash can, unless every commit is fsynced: synchronous=FULL. better-sqlite3 is
// built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so a database that is already in WAL mode opens
// with synchronous=NORMAL unless the connection sets FULL itself.
describe('SQLite durability settings', () => {
  // Regression guard: journal_mode=WAL alone left every open after the first at NORMAL.
  it('opens a file database in WAL mode with synchronous=FULL, also on a re-open', async () => {
    const dsn = `sqlite://${join(dir, 'pragma.sqlite')}`
    for (let open = 0; open < 2; open++) {
      const db = await openDb(dsn)
      try {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely)
        expect(mode.rows[0]?.journal_mode).toBe('wal')
        const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(db.kysely)
        expect(sync.rows[0]?.synchronous, `synchronous on open #${open + 1} (2 = FULL)`).toBe(2)
      } finally {
        await db.close()
      }
    }
  })
})
