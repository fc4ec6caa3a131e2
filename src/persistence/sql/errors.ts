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

/**
 * True when a driver error says the transaction lost a race and may simply run again:
 * PostgreSQL serialization_failure (40001) and deadlock_detected (40P01), MySQL/MariaDB
 * ER_LOCK_DEADLOCK (1213) and ER_LOCK_WAIT_TIMEOUT (1205), SQLite busy or locked (another
 * connection, e.g. the writer thread, held the write lock past busy_timeout).
 */
export function isRetryableConflict(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  const err = e as { code?: unknown; errno?: unknown }
  if (err.code === '40001' || err.code === '40P01') return true
  if (err.errno === 1213 || err.errno === 1205 || err.code === 'ER_LOCK_DEADLOCK' || err.code === 'ER_LOCK_WAIT_TIMEOUT') return true
  return typeof err.code === 'string' && (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'))
}
