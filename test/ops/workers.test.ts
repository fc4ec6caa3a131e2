// `serve all --workers 2`: one primary holding the ports and two worker processes on one
// database (an SQLite file; PostgreSQL and MySQL when configured). Each request goes over a
// keep-alive connection pinned to a chosen worker, and the access log says which worker
// answered, so every step below is checked to have landed where the test sent it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'
import { testDatabases } from '../support/databases.js'
import { CONSENT_URL, CookieJar, LOGIN_URL, REDIRECT_URI, basic, clientCredentials, createClient, inactiveTokens, instanceEnv, migrate, startInstance, type ServerProcess } from './helpers.js'
import { connectTo, logLine, logLines, readyWorkers, type WorkerConnection } from './worker-connections.js'

interface Target {
  name: string
  create(): Promise<{ dsn: string; drop(): Promise<void> }>
}

const dir = mkdtempSync(join(tmpdir(), 'orthrus-workers-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const targets: Target[] = [
  { name: 'sqlite (file)', create: async () => ({ dsn: `sqlite://${join(dir, `orthrus-${Date.now()}.sqlite`)}?_fk=true`, drop: async () => undefined }) },
]
for (const t of testDatabases()) if (t.name !== 'sqlite') targets.push({ name: t.name, create: () => t.create() })
if (targets.length === 1) console.log('workers: server databases skipped (set TEST_DATABASE_POSTGRESQL / TEST_DATABASE_MYSQL to include them)')

const IN_FLIGHT = 20
/** SIGKILL one worker once this many tokens were answered. */
const KILL_AFTER = 200
/** Fastify's keep-alive timeout. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000
/** Tokens the cluster must still answer after the replacement said it is ready. */
const AFTER_REPLACEMENT = 200
/** A request still unanswered after this long went to the killed worker. */
const REQUEST_TIMEOUT_MS = 10_000

/** The cluster-wide client_credentials token count in a scrape. */
function tokensIssued(scrape: string): number {
  const line = scrape.split('\n').find((l) => l.startsWith('orthrus_oauth2_tokens_issued_total{grant_type="client_credentials"}'))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

describe('serve --workers refusals', () => {
  it('refuses an in-memory database, which no two processes can share', async () => {
    const run = await runCli(['serve', 'all', '--workers', '2'], { env: instanceEnv('memory') })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('serve.workers = 2 needs a database the workers share')
  })

  it('refuses a count that is not a number of processes', async () => {
    const run = await runCli(['serve', 'all', '--workers', '0'], { env: instanceEnv('memory') })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("option '--workers <n|auto>' argument '0' is invalid")
  })

  it('stops, with the worker’s reason and a failing status, when the workers cannot start', async () => {
    // Not migrated: every worker refuses to start, as a single process would.
    const dsn = `sqlite://${join(dir, 'unmigrated.sqlite')}?_fk=true`
    const run = await runCli(['serve', 'all', '--workers', '2'], { env: instanceEnv(dsn, { LOG_FORMAT: 'json' }) })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/pending migration/)
    expect(run.stderr).toContain('worker exited before it was ready: stopping')
  })
})

for (const target of targets) {
  describe(`serve all --workers 2 on ${target.name}`, () => {
    let server: ServerProcess
    let drop: () => Promise<void> = async () => undefined
    let dsn: string
    /** Worker ids in start order; [a, b]. */
    let a: number
    let b: number
    const open: WorkerConnection[] = []
    const pin = async (base: string, worker: number): Promise<WorkerConnection> => {
      const c = await connectTo(server, base, worker)
      open.push(c)
      return c
    }

    beforeAll(async () => {
      const db = await target.create()
      drop = db.drop
      dsn = db.dsn
      await migrate(db.dsn)
      server = await startInstance(db.dsn, { SERVE_WORKERS: '2' })
      await logLine(server, (l) => l.msg === 'all workers ready', 60_000)
      ;[a, b] = readyWorkers(server).map((w) => w.worker) as [number, number]
    }, 90_000)

    afterAll(async () => {
      for (const c of open) c.close()
      await server?.stop()
      await drop()
    })

    it('runs an authorization code flow and a refresh whose steps alternate between the workers', async () => {
      const client = await createClient(server.adminUrl, {
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline',
      })
      const [publicA, publicB, adminA, adminB] = [await pin(server.publicUrl, a), await pin(server.publicUrl, b), await pin(server.adminUrl, a), await pin(server.adminUrl, b)]
      const jar = new CookieJar()
      const auth = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: 'state-0123456789' })

      const toLogin = await publicA.browse(jar, `/oauth2/auth?${auth.toString()}`)
      expect([toLogin.status, toLogin.worker]).toEqual([302, a])
      expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
      const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''

      const accepted = await adminB.json('PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(loginChallenge)}`, { subject: 'worker-user' })
      expect([accepted.status, accepted.worker], JSON.stringify(accepted.json)).toEqual([200, b])

      const toConsent = await publicB.browse(jar, String(accepted.json.redirect_to))
      expect([toConsent.status, toConsent.worker]).toEqual([302, b])
      expect(toConsent.location.startsWith(CONSENT_URL), toConsent.location).toBe(true)
      const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''

      const granted = await adminA.json('PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
        grant_scope: ['openid', 'offline'],
      })
      expect([granted.status, granted.worker], JSON.stringify(granted.json)).toEqual([200, a])

      const callback = await publicA.browse(jar, String(granted.json.redirect_to))
      expect([callback.status, callback.worker]).toEqual([303, a])
      const code = new URL(callback.location).searchParams.get('code') ?? ''

      const authorization = { authorization: basic(client.client_id, client.client_secret) }
      const tokens = await publicB.form('/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, authorization)
      expect([tokens.status, tokens.worker], JSON.stringify(tokens.json)).toEqual([200, b])

      const refreshed = await publicA.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) }, authorization)
      expect([refreshed.status, refreshed.worker], JSON.stringify(refreshed.json)).toEqual([200, a])
      // The access token refreshed on A is active for B.
      const active = await adminB.form('/admin/oauth2/introspect', { token: String(refreshed.json.access_token) })
      expect([active.json.active, active.json.sub, active.worker]).toEqual([true, 'worker-user', b])

      // The rotated refresh token is spent for B too; its reuse revokes the family on A as well.
      const reuse = await publicB.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) }, authorization)
      expect([reuse.json.error, reuse.worker]).toEqual(['invalid_grant', b])
      const revoked = await adminA.form('/admin/oauth2/introspect', { token: String(refreshed.json.access_token) })
      expect([revoked.json.active, revoked.worker]).toEqual([false, a])
    })

    it('introspects on each worker the tokens the other one issued', async () => {
      const client = await createClient(server.adminUrl, { grant_types: ['client_credentials'] })
      const [publicA, publicB, adminA, adminB] = [await pin(server.publicUrl, a), await pin(server.publicUrl, b), await pin(server.adminUrl, a), await pin(server.adminUrl, b)]
      const authorization = { authorization: basic(client.client_id, client.client_secret) }
      for (const [issuer, reader] of [
        [publicA, adminB],
        [publicB, adminA],
      ] as const) {
        const issued = await issuer.form('/oauth2/token', { grant_type: 'client_credentials' }, authorization)
        expect(issued.status, JSON.stringify(issued.json)).toBe(200)
        const read = await reader.form('/admin/oauth2/introspect', { token: String(issued.json.access_token) })
        expect(issued.worker).not.toBe(read.worker)
        expect(read.json).toMatchObject({ active: true, client_id: client.client_id })
      }
    })

    it('answers a metrics scrape on either worker with the totals of both', async () => {
      const client = await createClient(server.adminUrl, { grant_types: ['client_credentials'] })
      const [publicA, publicB, adminA, adminB] = [await pin(server.publicUrl, a), await pin(server.publicUrl, b), await pin(server.adminUrl, a), await pin(server.adminUrl, b)]
      const before = tokensIssued(await (await fetch(`${server.adminUrl}/admin/metrics/prometheus`)).text())
      const authorization = { authorization: basic(client.client_id, client.client_secret) }
      for (const c of [publicA, publicB, publicB]) expect((await c.form('/oauth2/token', { grant_type: 'client_credentials' }, authorization)).status).toBe(200)
      for (const c of [adminA, adminB]) {
        const answer = await c.send('GET', '/admin/metrics/prometheus')
        expect(answer.status).toBe(200)
        expect(tokensIssued(answer.text), `scrape answered by worker ${answer.worker}`).toBe(before + 3)
      }
    })

    it('replaces a worker killed under concurrent token requests, and keeps every token it answered 200 for', async () => {
      const client = await createClient(server.adminUrl, { grant_types: ['client_credentials'] })
      const victim = readyWorkers(server).find((w) => w.worker === a)
      expect(victim).toBeDefined()
      const tokens: string[] = []
      const wrong: string[] = []
      let killedAt: number | undefined
      let replacedAt: number | undefined
      let gaveUp = false
      let refused = 0
      const done = (): boolean => gaveUp || wrong.length > 0 || (replacedAt !== undefined && tokens.length >= replacedAt + AFTER_REPLACEMENT)
      const load = async (): Promise<void> => {
        while (!done()) {
          let res: Awaited<ReturnType<typeof clientCredentials>>
          try {
            res = await clientCredentials(server.publicUrl, client, undefined, AbortSignal.timeout(REQUEST_TIMEOUT_MS))
          } catch {
            // A request in flight on the killed worker's connection, or a connection the primary
            // handed to the worker as it died: it never got an answer.
            refused++
            continue
          }
          // Whatever reaches a live worker is answered, and answered right.
          if (res.status !== 200) wrong.push(`${res.status} ${JSON.stringify(res.json)}`)
          else tokens.push(String(res.json.access_token))
          if (killedAt === undefined && tokens.length >= KILL_AFTER) {
            killedAt = tokens.length
            process.kill(victim!.pid, 'SIGKILL')
            logLine(server, (l) => l.msg === 'worker ready' && ![a, b].includes(Number(l.worker)), 60_000).then(
              () => (replacedAt = tokens.length),
              () => (gaveUp = true),
            )
          }
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, load))
      expect(wrong).toEqual([])
      expect(gaveUp, 'no replacement worker became ready').toBe(false)
      expect(killedAt).toBeDefined()
      expect(new Set(tokens).size).toBe(tokens.length)
      const died = await logLine(server, (l) => l.msg === 'worker died: starting a replacement' && l.pid === victim!.pid)
      expect(died).toMatchObject({ worker: a, signal: 'SIGKILL' })

      // Every token answered 200, before and after the kill, is active.
      const lost = await inactiveTokens(server.adminUrl, tokens, IN_FLIGHT)
      expect(lost.length, `${lost.length} of ${tokens.length} tokens answered 200 are not active (${refused} requests got no answer)`).toBe(0)

      // The replacement serves: a connection pinned to it issues a token the old worker reads.
      const replacement = readyWorkers(server).at(-1)!
      expect(replacement.worker).not.toBe(a)
      const onNew = await pin(server.publicUrl, replacement.worker)
      const issued = await onNew.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) })
      expect([issued.status, issued.worker]).toEqual([200, replacement.worker])
      const read = await (await pin(server.adminUrl, b)).form('/admin/oauth2/introspect', { token: String(issued.json.access_token) })
      expect(read.json.active).toBe(true)
    }, 120_000)

    it('drains every worker on SIGTERM: each finishes its requests, and the primary exits 0', async () => {
      const client = await createClient(server.adminUrl, { grant_types: ['client_credentials'] })
      const tokens: string[] = []
      const wrong: string[] = []
      let exited: Promise<number | null> | undefined
      let signalledAt = 0
      const load = async (): Promise<void> => {
        for (;;) {
          let res: Awaited<ReturnType<typeof clientCredentials>>
          try {
            res = await clientCredentials(server.publicUrl, client)
          } catch {
            return // the listeners are closed
          }
          // Once draining, a worker refuses new requests on open connections with 503 and closes them.
          if (res.status === 503 && exited) continue
          if (res.status !== 200) wrong.push(`${res.status} ${JSON.stringify(res.json)}`)
          else tokens.push(String(res.json.access_token))
          if (tokens.length >= 100 && !exited) {
            signalledAt = Date.now()
            exited = server.stop('SIGTERM')
          }
          if (wrong.length > 0) return
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, load))
      expect(wrong).toEqual([])
      expect(await exited).toBe(0)
      // Keep-alive connections that were busy when the drain began must not hold it open until
      // the keep-alive timeout (72 s).
      expect(Date.now() - signalledAt).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS / 2)
      const lines = logLines(server)
      const stopped = lines.filter((l) => l.msg === 'worker stopped')
      expect(stopped.map((l) => l.exit_code)).toEqual([0, 0])
      for (const { worker } of stopped) {
        expect(lines.some((l) => l.msg === 'shutdown complete' && l.worker === worker), `worker ${String(worker)} finished its shutdown`).toBe(true)
      }

      // Nothing answered during the drain is lost: a fresh server on the database knows every token.
      const after = await startInstance(dsn)
      try {
        const lost = await inactiveTokens(after.adminUrl, tokens, IN_FLIGHT)
        expect(lost).toEqual([])
      } finally {
        await after.stop()
      }
    }, 120_000)
  })
}
