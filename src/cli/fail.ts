/** Prints one clear line on stderr and exits non-zero. */
export function fail(reason: unknown): never {
  const message = reason instanceof Error ? reason.message : String(reason)
  process.stderr.write(`orthrus: ${message.split('\n')[0]}\n`)
  process.exit(1)
}
