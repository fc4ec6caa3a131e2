import { Migrator, sql, type MigrationResult } from 'kysely'
import type { Db } from './db.js'
import { migrationProvider, MIGRATION_NAMES } from './migrations/index.js'

export interface MigrationStatus {
  name: string
  appliedAt?: Date
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    provider: migrationProvider(db.dialect),
    migrationTableName: 'orthrus_migration',
    migrationLockTableName: 'orthrus_migration_lock',
    // Numbers are reserved ahead for work in progress, so a database may have applied a later
    // step before an earlier one ships: a missing earlier step is applied, not refused.
    allowUnorderedMigrations: true,
    // Without a schema Kysely finds the bookkeeping tables of any schema on the server.
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  })
}

function check(results: MigrationResult[] | undefined, error: unknown): MigrationResult[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(failed ? `migration ${failed.migrationName} failed: ${reason}` : `migration failed: ${reason}`)
  }
  return results ?? []
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(db: Db): Promise<string[]> {
  const { results, error } = await migrator(db).migrateToLatest()
  return check(results, error).map((r) => r.migrationName)
}

/** Rolls back the newest `steps` applied migrations; returns the names rolled back. */
export async function migrateDown(db: Db, steps: number): Promise<string[]> {
  const m = migrator(db)
  const done: string[] = []
  for (let i = 0; i < steps; i++) {
    const { results, error } = await m.migrateDown()
    const r = check(results, error)
    if (r.length === 0) break
    done.push(...r.map((x) => x.migrationName))
  }
  return done
}

export async function migrationStatus(db: Db): Promise<MigrationStatus[]> {
  const list = await migrator(db).getMigrations()
  return list.map((m) => ({ name: m.name, ...(m.executedAt ? { appliedAt: m.executedAt } : {}) }))
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  return (await migrationStatus(db)).filter((m) => !m.appliedAt).map((m) => m.name)
}

/**
 * Migrations the database has applied that this build does not know: a newer Orthrus migrated
 * it, so its tables may carry columns this one has never heard of (db.ignore_unknown_table_columns).
 */
export async function unknownAppliedMigrations(db: Db): Promise<string[]> {
  const table = db.schema ? sql.table(`${db.schema}.orthrus_migration`) : sql.table('orthrus_migration')
  const rows = await sql<{ name: string }>`select name from ${table}`.execute(db.kysely)
  return rows.rows.map((r) => r.name).filter((name) => !MIGRATION_NAMES.includes(name))
}
