// `orthrus janitor`: Hydra's cleanup command. It works on the database directly (no server
// needed, and safe beside running servers: small batches, no long transactions).
import type { Command } from 'commander'
import { resolveDsn, singleConfigFile, type DatabaseSourceOptions } from './database-source.js'
import { fail } from './fail.js'
import type { JanitorKind, StepResult } from '../janitor/model.js'

interface JanitorOptions extends DatabaseSourceOptions {
  tokens?: boolean
  requests?: boolean
  grants?: boolean
  keepIfYounger?: string
  accessLifespan?: string
  refreshLifespan?: string
  consentRequestLifespan?: string
  limit: string
  batchSize: string
}

function positiveInt(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) fail(`--${name} = "${text}" must be an integer greater than 0`)
  return Number(text)
}

async function duration(name: string, text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined
  const { parseDuration } = await import('../config/duration.js')
  const ms = parseDuration(text)
  if (ms === undefined) fail(`--${name} = "${text}" is not a duration (expected e.g. 1h, 30m, 1h5m1s)`)
  return ms
}

const padRight = (s: string, n: number) => s.padEnd(n)

function printSummary(results: StepResult[]): void {
  const width = Math.max(...results.map((r) => r.step.label.length), 'REMOVED FROM'.length)
  const out: string[] = [`${padRight('KIND', 9)} ${padRight('REMOVED FROM', width)}  ROWS`]
  for (const r of results) {
    out.push(`${padRight(r.step.kind, 9)} ${padRight(r.step.label, width)}  ${r.skipped ? `skipped: ${r.skipped}` : r.removed}`)
  }
  const totals = new Map<JanitorKind, number>()
  for (const r of results) totals.set(r.step.kind, (totals.get(r.step.kind) ?? 0) + r.removed)
  for (const [kind, n] of totals) out.push(`Removed ${n} row(s) of ${kind}.`)
  process.stdout.write(`${out.join('\n')}\n`)
}

async function run(dsnArg: string | undefined, opts: JanitorOptions): Promise<void> {
  const kinds = (['tokens', 'requests', 'grants'] as const).filter((k) => opts[k] === true)
  if (kinds.length === 0) fail('the janitor needs at least one of --tokens, --requests or --grants')
  const limit = positiveInt('limit', opts.limit)
  const batchSize = positiveInt('batch-size', opts.batchSize)
  if (batchSize > limit) fail(`--batch-size (${batchSize}) must not be greater than --limit (${limit})`)
  const keepIfYounger = (await duration('keep-if-younger', opts.keepIfYounger)) ?? 0
  const accessLifespan = await duration('access-lifespan', opts.accessLifespan)
  const refreshLifespan = await duration('refresh-lifespan', opts.refreshLifespan)
  const consentRequestLifespan = await duration('consent-request-lifespan', opts.consentRequestLifespan)
  const dsn = resolveDsn(dsnArg, opts)

  const [{ loadConfig }, { openDb }, { SqlJanitorStore, firstNetwork }, { planJanitor, runJanitor }] = await Promise.all([
    import('../config/loader.js'),
    import('../persistence/db.js'),
    import('../persistence/sql/janitor-store.js'),
    import('../janitor/janitor.js'),
  ])
  // Only ttl.* (the default lifespans) matter here: the config is read as in --dev, so issuer and
  // secrets need not be set, and the DSN found above wins.
  const file = singleConfigFile(opts)
  let ttl
  try {
    ttl = loadConfig({ ...(file ? { file } : {}), env: process.env, dev: true, overrides: { dsn } }).config.ttl
  } catch (e) {
    fail(e)
  }
  const steps = planJanitor({
    kinds,
    now: new Date(),
    keepIfYounger,
    ...(accessLifespan ? { accessLifespan } : {}),
    ...(refreshLifespan ? { refreshLifespan } : {}),
    ...(consentRequestLifespan ? { consentRequestLifespan } : {}),
    ttl: {
      accessToken: ttl.access_token,
      refreshToken: ttl.refresh_token,
      authCode: ttl.auth_code,
      loginConsentRequest: ttl.login_consent_request,
    },
  })

  const db = await openDb(dsn)
  try {
    const nid = await firstNetwork(db).catch(() => undefined)
    if (!nid) fail('the database has no network row: run "orthrus migrate sql" first')
    const tty = process.stderr.isTTY === true
    let lastPaint = 0
    const results = await runJanitor(new SqlJanitorStore(db, nid), steps, {
      limit,
      batchSize,
      onProgress: tty
        ? (step, removed) => {
            const t = Date.now()
            if (t - lastPaint < 100) return
            lastPaint = t
            process.stderr.write(`\r\x1b[K${step.kind}: ${step.label}: ${removed} removed`)
          }
        : undefined,
    })
    if (tty) process.stderr.write('\r\x1b[K')
    for (const r of results) {
      if (!r.skipped) process.stdout.write(`Janitor run on ${r.step.label}: done\n`)
    }
    printSummary(results)
  } finally {
    await db.close()
  }
}

export function registerJanitorCommand(program: Command): void {
  program
    .command('janitor')
    .argument('[dsn]', 'Database URL (postgres://..., mysql://..., sqlite://...)')
    .description(
      'Remove expired tokens (--tokens), stale login/consent/logout requests (--requests) and expired trust relationships (--grants) from the database, in small batches',
    )
    .option('-e, --read-from-env', 'Read the DSN from the DSN environment variable')
    .option('-c, --config <file...>', 'Read the DSN (and ttl.* lifespans) from a configuration file')
    .option('--tokens', 'Remove expired access and refresh tokens, authorization codes, used assertion jtis and used DPoP proof jtis')
    .option('--requests', 'Remove unhandled or rejected login/consent requests, expired logout requests and device codes')
    .option('--grants', 'Remove expired trust relationships (RFC 7523 jwt-bearer issuers)')
    .option('--keep-if-younger <duration>', 'Keep rows younger than this, e.g. 24h', '0s')
    .option('--access-lifespan <duration>', 'Treat access tokens older than this as expired (default: rows expire by their own expiry)')
    .option('--refresh-lifespan <duration>', 'Treat refresh tokens older than this as expired (default: by their own expiry)')
    .option('--consent-request-lifespan <duration>', 'Age after which an unhandled login/consent request goes (default: ttl.login_consent_request)')
    .option('--limit <n>', 'At most this many rows per kind (tokens, requests, grants)', '100000')
    .option('--batch-size <n>', 'Rows per delete statement', '100')
    .action(async (dsn: string | undefined, opts: JanitorOptions) => {
      await run(dsn, opts).catch(fail)
    })
}
