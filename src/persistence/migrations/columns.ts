// Column types that differ between the three engines, chosen once here so every
// migration speaks the same vocabulary.
import { sql, type RawBuilder, type CreateTableBuilder } from 'kysely'
import type { Dialect } from '../dsn.js'

export interface Columns {
  /** Short identifiers: ids, names, enums. Indexed columns must use this on MySQL. */
  id: RawBuilder<unknown>
  /** Free text and JSON documents of any reasonable size. */
  text: RawBuilder<unknown>
  timestamp: RawBuilder<unknown>
  bool: RawBuilder<unknown>
  bigint: RawBuilder<unknown>
  uuid: RawBuilder<unknown>
}

export function columns(dialect: Dialect): Columns {
  switch (dialect) {
    case 'postgres':
      return {
        id: sql`varchar(255)`,
        text: sql`text`,
        timestamp: sql`timestamptz`,
        bool: sql`boolean`,
        bigint: sql`bigint`,
        uuid: sql`uuid`,
      }
    case 'mysql':
      return {
        id: sql`varchar(255)`,
        text: sql`mediumtext`,
        timestamp: sql`datetime(3)`,
        bool: sql`boolean`,
        bigint: sql`bigint`,
        uuid: sql`char(36)`,
      }
    case 'sqlite':
      return {
        id: sql`text`,
        text: sql`text`,
        // ISO-8601 UTC text sorts like time, so expiry comparisons stay correct.
        timestamp: sql`text`,
        bool: sql`integer`,
        bigint: sql`integer`,
        uuid: sql`text`,
      }
  }
}

/** MySQL compares strings case-insensitively by default; ids must be exact. */
export function tableOptions<T extends string, C extends string>(
  dialect: Dialect,
  b: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C> {
  return dialect === 'mysql' ? b.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : b
}
