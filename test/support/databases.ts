// The storage tests run once per configured database: SQLite always, PostgreSQL and
// MySQL/MariaDB when TEST_DATABASE_POSTGRESQL / TEST_DATABASE_MYSQL name a server.
// Each call makes a throw-away schema or database so runs never collide.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../src/persistence/db.js'
import { migrateUp } from '../../src/persistence/migrate.js'

export interface TestDatabase {
  name: 'sqlite' | 'postgres' | 'mysql'
  /** Creates an empty database and returns its DSN and a cleanup. */
  create(): Promise<{ dsn: string; drop(): Promise<void> }>
}

const uniqueName = () => `orthrus_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`

function withParam(dsn: string, key: string, value: string): string {
  return `${dsn}${dsn.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: 'sqlite',
      // A throw-away file, as deployments run it: the writer thread and its group commit are
      // exercised too (an in-memory database takes another write path).
      create: async () => sqliteFile(),
    },
  ]
  const pgDsn = process.env.TEST_DATABASE_POSTGRESQL
  if (pgDsn) {
    list.push({
      name: 'postgres',
      async create() {
        const admin = await openDb(pgDsn)
        const schema = uniqueName()
        const { sql } = await import('kysely')
        await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
        await admin.close()
        return {
          dsn: withParam(pgDsn, 'search_path', schema),
          async drop() {
            const a = await openDb(pgDsn)
            await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(a.kysely)
            await a.close()
          },
        }
      },
    })
  }
  const myDsn = process.env.TEST_DATABASE_MYSQL
  if (myDsn) {
    list.push({
      name: 'mysql',
      async create() {
        const admin = await openDb(myDsn)
        const name = uniqueName()
        const { sql } = await import('kysely')
        await sql`create database ${sql.id(name)}`.execute(admin.kysely)
        await admin.close()
        const dsn = myDsn.replace(/\/([^/?]*)(\?|$)/, `/${name}$2`)
        return {
          dsn,
          async drop() {
            const a = await openDb(myDsn)
            await sql`drop database if exists ${sql.id(name)}`.execute(a.kysely)
            await a.close()
          },
        }
      },
    })
  }
  return list
}

/** A migrated database of the given kind, closed and dropped by the returned cleanup. */
export async function migratedDb(t: TestDatabase): Promise<{ db: Db; dsn: string; cleanup(): Promise<void> }> {
  const { dsn, drop } = await t.create()
  const db = await openDb(dsn)
  await migrateUp(db)
  return {
    db,
    dsn,
    async cleanup() {
      await db.close()
      await drop()
    },
  }
}

/**
 * A database that outlives one server, for tests that start several in turn (every kind does,
 * SQLite being a throw-away file).
 */
export async function lastingDatabase(t: TestDatabase): Promise<{ dsn: string; drop(): Promise<void> }> {
  return t.create()
}

function sqliteFile(): { dsn: string; drop(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'orthrus-db-'))
  return { dsn: `sqlite://${join(dir, 'db.sqlite')}?_fk=true`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
}

/** The id of the network row the migrations create: every store is scoped to it. */
export async function networkId(db: Db): Promise<string> {
  return (await db.kysely.selectFrom('networks').select('id').executeTakeFirstOrThrow()).id
}
