import { flushLogs } from '../log-flush.js'

/** Prints one clear line on stderr and exits non-zero. */
export function fail(reason: unknown): never {
  const message = reason instanceof Error ? reason.message : String(reason)
  // After the log lines already taken, so the reason is the last line.
  flushLogs()
  process.stderr.write(`orthrus: ${message.split('\n')[0]}\n`)
  process.exit(1)
}
