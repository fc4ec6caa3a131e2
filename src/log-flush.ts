// The logger writes standard error through a buffer (logging.ts). A line written to standard
// error directly (the CLI's one-line failure) must come after what the logger already took, so
// such writers flush it first. Kept apart from logging.ts so the CLI need not load pino for it.
let flush: (() => void) | undefined

/** Called by logging.ts once it buffers standard error. */
export function setLogFlush(f: () => void): void {
  flush = f
}

/** Writes out whatever log lines are still buffered; nothing when no logger buffers. */
export function flushLogs(): void {
  try {
    flush?.()
  } catch {
    // A destination that cannot be flushed any more has nothing left to keep in order.
  }
}
