// `orthrus secrets reencrypt`: re-seal data at rest under the first of secrets.system (see
// src/rotation/reencrypt.ts for what it covers and what it cannot).
import type { Command } from 'commander'
import { resolveDsn, singleConfigFile, type DatabaseSourceOptions } from './database-source.js'
import { fail } from './fail.js'

interface ReencryptOptions extends DatabaseSourceOptions {
  batchSize: string
}

async function run(dsnArg: string | undefined, opts: ReencryptOptions): Promise<void> {
  if (!/^\d+$/.test(opts.batchSize) || Number(opts.batchSize) < 1) fail(`--batch-size = "${opts.batchSize}" must be an integer greater than 0`)
  const dsn = resolveDsn(dsnArg, opts)
  const file = singleConfigFile(opts)
  const [{ loadConfig, NO_SECRET_WARNING }, { Aead }, { openDb }, { SqlReencryptStore }, { reencrypt }] = await Promise.all([
    import('../config/loader.js'),
    import('../crypto/aead.js'),
    import('../persistence/db.js'),
    import('../persistence/sql/reencrypt-store.js'),
    import('../rotation/reencrypt.js'),
  ])
  // Only secrets.system matters here: read as in --dev so issuer and the rest need not be set,
  // but a generated throw-away secret is refused.
  let loaded
  try {
    loaded = loadConfig({ ...(file ? { file } : {}), env: process.env, dev: true, overrides: { dsn } })
  } catch (e) {
    fail(e)
  }
  if (loaded.warnings.includes(NO_SECRET_WARNING)) fail('secrets.system is not set: set SECRETS_SYSTEM (new secret first, then the old ones) or secrets.system in the config file')
  const secrets = loaded.config.secrets.system
  if (secrets.length < 2) {
    process.stderr.write('orthrus: note: secrets.system lists one secret only: values sealed under any other secret cannot be opened and are reported as unreadable\n')
  }
  const db = await openDb(dsn)
  try {
    const results = await reencrypt(new Aead(secrets), new SqlReencryptStore(db), { batchSize: Number(opts.batchSize) })
    const width = Math.max(...results.map((r) => r.label.length))
    const lines = [`${'VALUES'.padEnd(width)}  RE-SEALED  CURRENT  UNREADABLE`]
    for (const r of results) {
      lines.push(
        r.skipped
          ? `${r.label.padEnd(width)}  skipped: ${r.skipped}`
          : `${r.label.padEnd(width)}  ${String(r.resealed).padStart(9)}  ${String(r.current).padStart(7)}  ${String(r.unreadable).padStart(10)}`,
      )
    }
    process.stdout.write(`${lines.join('\n')}\n`)
    const unreadable = results.reduce((n, r) => n + r.unreadable, 0)
    if (unreadable > 0) {
      process.stdout.write(`${unreadable} value(s) open with none of the configured secrets and were left as they are.\n`)
    } else {
      process.stdout.write(
        'Everything sealed at rest now opens with the first secret. Older secrets may be removed once the opaque tokens and codes they signed may stop working.\n',
      )
    }
  } finally {
    await db.close()
  }
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('Work with secrets.system')
  secrets
    .command('reencrypt')
    .argument('[dsn]', 'Database URL (postgres://..., mysql://..., sqlite://...)')
    .description(
      'Re-seal keys and token sessions stored under an older secrets.system entry with the first one, so old secrets can be removed. ' +
        'Opaque tokens and codes are HMACs, not sealed: they stay valid only while the secret that signed them is listed.',
    )
    .option('-e, --read-from-env', 'Read the DSN from the DSN environment variable')
    .option('-c, --config <file...>', 'Read the DSN and secrets.system from a configuration file')
    .option('--batch-size <n>', 'Rows read per query', '100')
    .action(async (dsn: string | undefined, opts: ReencryptOptions) => {
      await run(dsn, opts).catch(fail)
    })
}
