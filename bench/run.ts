// `npm run bench`: client_credentials issuance and introspection on Orthrus (SQLite, and
// PostgreSQL when BENCH_DATABASE_POSTGRESQL is set), against oidc-provider and a bare-Fastify
// ceiling, all on 127.0.0.1. Exits non-zero only when the harness itself fails.
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { measure, probe, type Measurement, type Settings } from './load.js'
import { postgresDatabase, sqliteDatabase, startCeiling, startOidcProvider, startOrthrus, type Database, type Target } from './targets.js'

type Kind = 'token' | 'introspection'
const KINDS: readonly Kind[] = ['token', 'introspection']
const LABEL: Record<Kind, string> = { token: 'client_credentials token', introspection: 'introspection' }

interface Row {
  target: string
  kind: Kind
  result: Measurement | { missing: string }
}

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

async function benchTarget(target: Target, settings: Settings, rows: Row[]): Promise<void> {
  const row = (kind: Kind, result: Row['result']): void => void rows.push({ target: target.name, kind, result })
  const first = await probe(target.token)
  if (!first.ok) {
    row('token', { missing: `token endpoint: ${describe(first.status, first.body)}` })
    row('introspection', { missing: 'no token to introspect' })
    return
  }
  log(`  ${target.name}: ${LABEL.token}`)
  row('token', await measure(target.token, target.pid, settings))

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
  log(`  ${target.name}: ${LABEL.introspection}`)
  row('introspection', await measure(request, target.pid, settings))
}

const fixed = (n: number, digits: number): string => n.toFixed(digits)

function table(headers: string[], lines: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)))
  const render = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [render(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n')
}

// autocannon records latency in whole milliseconds; 0 means under one.
const ms = (n: number): string => (n === 0 ? '<1' : Number.isInteger(n) ? String(n) : fixed(n, 1))

function report(rows: Row[], settings: Settings): string {
  const notes: string[] = []
  const lines = rows.map((r) => {
    const name = `${r.target}: ${LABEL[r.kind]}`
    if ('missing' in r.result) {
      notes.push(`${name}: not measured (${r.result.missing})`)
      return [name, '-', '-', '-', '-', '-', '-']
    }
    const m = r.result
    return [name, fixed(m.reqPerSec, 0), ms(m.p50), ms(m.p99), String(m.non2xx), String(m.errors), m.peakRssMiB === undefined ? 'n/a' : fixed(m.peakRssMiB, 0)]
  })
  const out = [
    `autocannon: ${settings.connections} connections, ${settings.duration} s per scenario (${settings.warmup} s warm-up); ` +
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    '',
    table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'peak RSS MiB'], lines),
  ]
  if (notes.length > 0) out.push('', ...notes)
  const rate = (target: string, kind: Kind): number | undefined => {
    const r = rows.find((x) => x.target === target && x.kind === kind)?.result
    return r && 'reqPerSec' in r ? r.reqPerSec : undefined
  }
  const ratios: string[][] = []
  for (const target of [...new Set(rows.map((r) => r.target))].filter((t) => t.startsWith('Orthrus'))) {
    for (const kind of KINDS) {
      const own = rate(target, kind)
      if (own === undefined) continue
      const versus = (other: string): string => {
        const theirs = rate(other, kind)
        return theirs === undefined || theirs === 0 ? '-' : `${fixed(own / theirs, 2)}x`
      }
      ratios.push([`${target}: ${LABEL[kind]}`, versus('oidc-provider'), versus('Fastify ceiling')])
    }
  }
  if (ratios.length > 0) out.push('', table(['Orthrus req/s ratio', 'vs oidc-provider', 'vs Fastify ceiling'], ratios))
  return `${out.join('\n')}\n`
}

async function main(): Promise<number> {
  const settings: Settings = {
    connections: envNumber('BENCH_CONNECTIONS', 50, 1),
    duration: envNumber('BENCH_DURATION', 10, 1),
    warmup: envNumber('BENCH_WARMUP', 2, 0),
  }
  const rows: Row[] = []
  let failures = 0
  const run = async (label: string, start: () => Promise<Target>, db?: Database): Promise<void> => {
    log(`starting ${label}`)
    try {
      const target = await start()
      try {
        await benchTarget(target, settings, rows)
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

  await run('Fastify ceiling', startCeiling)
  await run('oidc-provider', startOidcProvider)
  const sqlite = sqliteDatabase()
  await run('Orthrus (SQLite)', () => startOrthrus(sqlite), sqlite)
  const pgBase = process.env['BENCH_DATABASE_POSTGRESQL']
  if (pgBase) {
    try {
      const pgDb = await postgresDatabase(pgBase)
      await run('Orthrus (PostgreSQL)', () => startOrthrus(pgDb), pgDb)
    } catch (e) {
      failures++
      log(`harness failure: could not create a PostgreSQL schema: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  const text = report(rows, settings)
  process.stdout.write(`\n${text}`)
  const outFile = process.env['BENCH_OUTPUT']
  if (outFile) writeFileSync(outFile, `${JSON.stringify({ settings, node: process.version, rows }, null, 2)}\n`)
  return failures > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    process.exit(1)
  },
)
