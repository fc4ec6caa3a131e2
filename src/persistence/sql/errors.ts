/** True when a driver error is a unique-constraint violation, on any of the three engines. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  const err = e as { code?: unknown; errno?: unknown }
  return (
    err.code === '23505' || // PostgreSQL unique_violation
    err.code === 'ER_DUP_ENTRY' ||
    err.errno === 1062 || // MySQL / MariaDB
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

/** Runs an insert: false when a row with the same unique key exists already, true once it is in. */
export async function insertUnlessTaken(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert()
    return true
  } catch (e) {
    if (isUniqueViolation(e)) return false
    throw e
  }
}
