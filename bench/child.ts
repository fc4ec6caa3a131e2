// How a reference server started by the benchmark tells the parent where it listens: one JSON
// line on stdout. It stops when the parent closes its stdin (or goes away).

export interface Announcement {
  url: string
  clientId?: string
  clientSecret?: string
}

export function announce(what: Announcement): void {
  process.stdout.write(`${JSON.stringify(what)}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
}
