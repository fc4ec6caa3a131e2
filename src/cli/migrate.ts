import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import type { Db } from '../persistence/db.js'
import { resolveDsn, type DatabaseSourceOptions } from './database-source.js'
import { fail } from './fail.js'

interface MigrateOptions extends DatabaseSourceOptions {
  yes?: boolean
}

async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return
  if (!process.stdin.isTTY) fail('refusing to change the database without confirmation: pass --yes')
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const answer = await rl.question(`${question} [y/n]: `)
  rl.close()
  if (!/^y(es)?$/i.test(answer.trim())) fail('aborted: nothing was changed')
}

// The database modules load only when a migrate command runs.
const persistence = async () => {
  const [db, migrate] = await Promise.all([import('../persistence/db.js'), import('../persistence/migrate.js')])
  return { ...db, ...migrate }
}

async function withDb<T>(dsn: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const { openDb } = await persistence()
  const db = await openDb(dsn)
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

function printStatus(list: Array<{ name: string; appliedAt?: Date }>): void {
  const width = Math.max(...list.map((m) => m.name.length), 'VERSION'.length)
  process.stdout.write(`${'VERSION'.padEnd(width)}  STATUS\n`)
  for (const m of list) {
    process.stdout.write(`${m.name.padEnd(width)}  ${m.appliedAt ? `Applied ${m.appliedAt.toISOString()}` : 'Pending'}\n`)
  }
}

async function up(dsn: string, opts: MigrateOptions): Promise<void> {
  const { migrateUp, migrationStatus } = await persistence()
  await withDb(dsn, async (db) => {
    const pending = (await migrationStatus(db)).filter((m) => !m.appliedAt)
    if (pending.length === 0) {
      process.stdout.write('The database is up to date: no migration to apply.\n')
      return
    }
    process.stdout.write(`Migrations to apply:\n${pending.map((m) => `  ${m.name}`).join('\n')}\n`)
    await confirm('Apply these migrations?', opts.yes)
    const applied = await migrateUp(db)
    process.stdout.write(`Applied ${applied.length} migration(s). The database is up to date.\n`)
  })
}

const DOWN_USAGE = 'migrate sql down N [dsn], e.g. migrate sql down 1 -e --yes'

// N comes first; a DSN in its place (N forgotten) is named as such and never echoed: it may hold a password.
function checkSteps(steps: string | undefined): asserts steps is string {
  if (steps === undefined) fail(`missing N, the number of migrations to roll back: ${DOWN_USAGE}`)
  if (steps.includes('://') || steps === 'memory') fail(`missing N, the number of migrations to roll back, before the DSN: ${DOWN_USAGE}`)
  if (!/^\d+$/.test(steps) || Number(steps) < 1) fail(`N = "${steps}" must be a positive integer: ${DOWN_USAGE}`)
}

export function registerMigrateCommand(program: Command): void {
  const migrate = program.command('migrate').description('Manage the database schema')
  const withFlags = (c: Command) =>
    c
      .option('-e, --read-from-env', 'Read the DSN from the DSN environment variable')
      .option('-c, --config <file...>', 'Read the DSN from a configuration file')
      .option('-y, --yes', 'Do not ask for confirmation')

  const sqlCmd = withFlags(
    migrate
      .command('sql')
      .argument('[dsn]', 'Database URL (postgres://..., mysql://..., sqlite://..., memory)')
      .description('Apply pending SQL migrations (same as "migrate sql up"); see also: up, down, status'),
  ).action(async (dsn: string | undefined, _opts: MigrateOptions, cmd: Command) => {
    const opts = cmd.optsWithGlobals<MigrateOptions>()
    await up(resolveDsn(dsn, opts), opts).catch(fail)
  })

  withFlags(sqlCmd.command('up').argument('[dsn]', 'Database URL').description('Apply every pending migration')).action(
    async (dsn: string | undefined, _opts: MigrateOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<MigrateOptions>()
      await up(resolveDsn(dsn, opts), opts).catch(fail)
    },
  )

  withFlags(
    sqlCmd
      .command('down')
      .argument('[steps]', 'How many applied migrations to roll back (N)')
      .argument('[dsn]', 'Database URL')
      .description('Roll back the newest N migrations: migrate sql down N [dsn]'),
  ).action(async (steps: string | undefined, dsn: string | undefined, _opts: MigrateOptions, cmd: Command) => {
    const opts = cmd.optsWithGlobals<MigrateOptions>()
    checkSteps(steps)
    const target = resolveDsn(dsn, opts)
    const { migrateDown, migrationStatus } = await persistence()
    await withDb(target, async (db) => {
      const applied = (await migrationStatus(db)).filter((m) => m.appliedAt).reverse().slice(0, Number(steps))
      if (applied.length === 0) {
        process.stdout.write('No migration is applied: nothing to roll back.\n')
        return
      }
      process.stdout.write(`Migrations to roll back:\n${applied.map((m) => `  ${m.name}`).join('\n')}\n`)
      await confirm('Roll back these migrations? Their data is lost.', opts.yes)
      const done = await migrateDown(db, Number(steps))
      process.stdout.write(`Rolled back ${done.length} migration(s).\n`)
    }).catch(fail)
  })

  withFlags(sqlCmd.command('status').argument('[dsn]', 'Database URL').description('List migrations and whether each is applied')).action(
    async (dsn: string | undefined, _opts: MigrateOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<MigrateOptions>()
      const { migrationStatus } = await persistence()
      await withDb(resolveDsn(dsn, opts), async (db) => printStatus(await migrationStatus(db))).catch(fail)
    },
  )
}
