import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../dsn.js'

// Deleting a client takes everything issued to it, as in Hydra, whose token and logout tables
// reference hydra_client with ON DELETE CASCADE. Codes, flows and device authorizations had
// their cascades from the start; this step adds them to the access and refresh token tables and
// to logout requests (whose client_id may be NULL: a logout that names no client).
//
// Rows that already name a client that no longer exists would violate the new keys: they
// belong to nobody any more and are deleted first.
//
// PostgreSQL and MySQL add the constraint in place. SQLite cannot add a constraint to a table:
// the table is rebuilt (new table with the constraint, rows copied, old table dropped, new
// one renamed, indexes recreated), and `down` rebuilds it again without the constraint.
const TABLES = ['hydra_oauth2_access', 'hydra_oauth2_refresh', 'hydra_oauth2_logout_request'] as const

const fkName = (table: string) => `${table}_client_fk`

async function deleteOrphans(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`delete from ${sql.table(table)} where client_id is not null and not exists (
      select 1 from hydra_client c where c.nid = ${sql.ref(`${table}.nid`)} and c.id = ${sql.ref(`${table}.client_id`)}
    )`.execute(db)
}

interface SqliteObject {
  type: string
  name: string
  sql: string | null
}

/** Rebuilds a SQLite table with the CREATE TABLE statement `rewrite` makes of the current one. */
async function rebuildSqliteTable(db: Kysely<unknown>, table: string, rewrite: (create: string) => string): Promise<void> {
  const objects = (
    await sql<SqliteObject>`select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db)
  ).rows
  const create = objects.find((o) => o.type === 'table')?.sql
  if (!create) throw new Error(`table ${table} not found`)
  // Automatic indexes (primary key, unique constraints) have no SQL and come back with the table.
  const indexes = objects.filter((o) => o.type === 'index' && o.sql !== null).map((o) => o.sql as string)
  const temp = `${table}_rebuild`
  const rewritten = rewrite(create)
  const head = /^CREATE TABLE\s+("[^"]+"|\S+)/i
  if (!head.test(rewritten)) throw new Error(`unexpected definition of ${table}`)
  await sql.raw(rewritten.replace(head, `CREATE TABLE "${temp}"`)).execute(db)
  await sql`insert into ${sql.table(temp)} select * from ${sql.table(table)}`.execute(db)
  await sql`drop table ${sql.table(table)}`.execute(db)
  await sql`alter table ${sql.table(temp)} rename to ${sql.table(table)}`.execute(db)
  for (const index of indexes) await sql.raw(index).execute(db)
}

const constraintSql = (table: string) =>
  `constraint "${fkName(table)}" foreign key ("nid", "client_id") references "hydra_client" ("nid", "id") on delete cascade`

function addConstraint(table: string) {
  return (create: string): string => {
    const end = create.lastIndexOf(')')
    if (end < 0) throw new Error(`unexpected definition of ${table}`)
    return `${create.slice(0, end)}, ${constraintSql(table)}${create.slice(end)}`
  }
}

function removeConstraint(table: string) {
  return (create: string): string => {
    const clause = `, ${constraintSql(table)}`
    if (!create.includes(clause)) throw new Error(`${table} has no ${fkName(table)} to remove`)
    return create.replace(clause, '')
  }
}

export function clientCascades(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const table of TABLES) {
        await deleteOrphans(db, table)
        if (dialect === 'sqlite') {
          await rebuildSqliteTable(db, table, addConstraint(table))
        } else {
          await db.schema
            .alterTable(table)
            .addForeignKeyConstraint(fkName(table), ['nid', 'client_id'], 'hydra_client', ['nid', 'id'], (fk) => fk.onDelete('cascade'))
            .execute()
        }
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [...TABLES].reverse()) {
        if (dialect === 'sqlite') {
          await rebuildSqliteTable(db, table, removeConstraint(table))
        } else if (dialect === 'mysql') {
          await sql`alter table ${sql.table(table)} drop foreign key ${sql.ref(fkName(table))}`.execute(db)
        } else {
          await db.schema.alterTable(table).dropConstraint(fkName(table)).execute()
        }
      }
    },
  }
}
