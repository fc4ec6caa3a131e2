// `npm run bench`: client_credentials issuance and introspection on the lean stack (the limit of
// this stack, from ../shared/bench when present), the bare-Fastify ceiling, oidc-provider and
// Orthrus with its shipped defaults (SQLite; with several workers; PostgreSQL and MariaDB when
// BENCH_DATABASE_POSTGRESQL / BENCH_DATABASE_MYSQL name a server), all on 127.0.0.1. Prints the
// table and each performance target as PASS/FAIL. Exits non-zero only when the harness fails.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { timeCli } from './cli-startup.js'
import { measure, probe, type Settings } from './load.js'
import { ORTHRUS_MAIN, mysqlDatabase, postgresDatabase, sqliteDatabase, startOrthrus, type Database } from './orthrus.js'
import { report, SCENARIO, type CliTiming, type Row } from './report.js'
import { LEAN_STACK, startCeiling, startLeanStack, startOidcProvider, type Target } from './targets.js'

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`)
  return value
}

const log = (text: string): void => void process.stderr.write(`${text}\n`)

function describe(status: number, body: unknown): string {
  const detail = typeof body === 'object' && body !== null && 'error' in body ? ` ${String((body as { error: unknown }).error)}` : ''
  return status === 0 ? `unreachable (${String(body)})` : `HTTP ${status}${detail}`
}

async function benchTarget(target: Target, settings: Settings, rows: Row[], profileDir: string | undefined): Promise<void> {
  const row = (kind: Row['kind'], result: Row['result']): void =>
    void rows.push({ key: target.key, target: target.name, kind, result, ...(target.idleRssMB !== undefined ? { idleRssMB: target.idleRssMB } : {}) })
  const profile = (kind: Row['kind']): string | undefined => (profileDir ? join(profileDir, `${target.key}-${SCENARIO[kind]}-{pid}.cpuprofile`) : undefined)
  const first = await probe(target.token)
  if (!first.ok) {
    row('token', { missing: `token endpoint: ${describe(first.status, first.body)}` })
    row('introspection', { missing: 'no token to introspect' })
    return
  }
  log(`  ${target.name}: ${SCENARIO.token}`)
  row('token', await measure(target.token, target, settings, profile('token')))

  // Issued after the issuance load, so a store that evicts old tokens (oidc-provider's LRU) still has it.
  const issued = await probe(target.token)
  const accessToken = (issued.body as { access_token?: unknown } | undefined)?.access_token
  if (!issued.ok || typeof accessToken !== 'string') {
    row('introspection', { missing: `could not issue a token to introspect: ${describe(issued.status, issued.body)}` })
    return
  }
  const request = target.introspect(accessToken)
  const check = await probe(request)
  if (!check.ok || (check.body as { active?: unknown } | undefined)?.active !== true) {
    row('introspection', { missing: `introspection endpoint: ${check.ok ? 'token not active' : describe(check.status, check.body)}` })
    return
  }
  log(`  ${target.name}: ${SCENARIO.introspection}`)
  row('introspection', await measure(request, target, settings, profile('introspection')))
}

async function main(): Promise<number> {
  const settings: Settings = {
    connections: envNumber('BENCH_CONNECTIONS', 50, 1),
    duration: envNumber('BENCH_DURATION', 10, 1),
    warmup: envNumber('BENCH_WARMUP', 2, 0),
  }
  const workers = envNumber('BENCH_WORKERS', 2, 1)
  const cliRuns = envNumber('BENCH_CLI_RUNS', 7, 0)
  const only = process.env['BENCH_ONLY'] ? new Set(process.env['BENCH_ONLY'].split(',').map((s) => s.trim())) : undefined
  const wanted = (key: string): boolean => only === undefined || only.has(key)
  let profileDir: string | undefined
  if (process.argv.includes('--profile')) {
    profileDir = resolve(process.env['BENCH_PROFILE_DIR'] ?? join('bench-profiles', new Date().toISOString().replace(/[:.]/g, '-')))
    mkdirSync(profileDir, { recursive: true })
  }

  const header =
    `${new Date().toISOString()}: autocannon, ${settings.connections} connections, ${settings.duration} s per scenario ` +
    `(${settings.warmup} s warm-up); node ${process.version}; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; ` +
    `load average before the run ${loadavg().map((l) => l.toFixed(2)).join(' ')}`
  const rows: Row[] = []
  const cli: CliTiming[] = []
  let failures = 0
  const run = async (key: string, label: string, start: () => Promise<Target | undefined>, after?: (t: Target) => Promise<void>, db?: Database): Promise<void> => {
    if (!wanted(key)) return
    log(`starting ${label}`)
    try {
      const target = await start()
      if (!target) return
      try {
        await benchTarget(target, settings, rows, profileDir)
        await after?.(target)
      } finally {
        await target.stop()
      }
    } catch (e) {
      failures++
      log(`harness failure on ${label}: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      await db?.drop().catch((e: unknown) => log(`could not drop the ${db.label} database: ${String(e)}`))
    }
  }
  const orthrusOn = (key: string, label: string, makeDb: () => Promise<Database>, n = 1, after?: (t: Target) => Promise<void>): Promise<void> =>
    wanted(key)
      ? makeDb().then(
          (db) => run(key, label, () => startOrthrus({ db, workers: n, key }), after, db),
          (e: unknown) => {
            failures++
            log(`harness failure: could not create the database for ${label}: ${e instanceof Error ? e.message : String(e)}`)
          },
        )
      : Promise.resolve()

  await run('lean', 'lean stack', async () => {
    const target = await startLeanStack()
    if (!target) log(`  skipped: ${LEAN_STACK} is not next to this checkout, so there is no lean-stack reference and its targets are n/a`)
    return target
  })
  await run('ceiling', 'Fastify ceiling', startCeiling)
  await run('oidc-provider', 'oidc-provider', startOidcProvider)
  const timeCliAgainst = async (t: Target): Promise<void> => {
    if (cliRuns === 0 || !t.adminUrl) return
    log('  CLI start-up')
    cli.push(await timeCli(ORTHRUS_MAIN, 'version', ['version'], cliRuns))
    cli.push(await timeCli(ORTHRUS_MAIN, 'list oauth2-clients --endpoint <admin URL>', ['list', 'oauth2-clients', '--endpoint', t.adminUrl], cliRuns))
  }
  await orthrusOn('orthrus', 'Orthrus (SQLite)', async () => sqliteDatabase(), 1, timeCliAgainst)
  if (workers > 1) await orthrusOn('orthrus-workers', `Orthrus (SQLite, ${workers} workers)`, async () => sqliteDatabase(), workers)
  const pg = process.env['BENCH_DATABASE_POSTGRESQL']
  if (pg) await orthrusOn('orthrus-postgresql', 'Orthrus (PostgreSQL)', () => postgresDatabase(pg))
  const my = process.env['BENCH_DATABASE_MYSQL']
  if (my) await orthrusOn('orthrus-mysql', 'Orthrus (MariaDB)', () => mysqlDatabase(my))

  process.stdout.write(`\n${report(rows, settings, cli, header)}`)
  const outFile = process.env['BENCH_OUTPUT']
  if (outFile) writeFileSync(outFile, `${JSON.stringify({ header, settings, node: process.version, rows, cli }, null, 2)}\n`)
  return failures > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    process.exit(1)
  },
)
