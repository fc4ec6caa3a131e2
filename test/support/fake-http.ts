// A stand-in HTTP server on 127.0.0.1 for CLI tests: records each request and answers with
// whatever the current test says.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Command, CommanderError } from 'commander'
import { setCliIo } from '../../src/cli/output.js'

export interface Recorded {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export interface Reply {
  status: number
  body?: unknown
  /** Sent as is instead of JSON when set. */
  raw?: string
  contentType?: string
}

export class FakeServer {
  readonly requests: Recorded[] = []
  reply: (req: Recorded) => Reply = () => ({ status: 404, body: { error: 'not_found' } })
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
        this.requests.push(recorded)
        const out = this.reply(recorded)
        res.writeHead(out.status, { 'content-type': out.contentType ?? 'application/json' })
        res.end(out.raw ?? (out.body === undefined ? '' : JSON.stringify(out.body)))
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  reset(): void {
    this.requests.length = 0
    this.reply = () => ({ status: 404, body: { error: 'not_found' } })
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

/** Runs the CLI in-process with the given commands registered, capturing its output. */
export async function runCommands(register: (program: Command) => void, args: string[]): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  let code = 0
  const restore = setCliIo({
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    setExitCode: (c) => (code = c),
  })
  const program = new Command('orthrus')
    .exitOverride()
    .configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) })
  register(program)
  try {
    await program.parseAsync(['node', 'orthrus', ...args])
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err
    code = err.exitCode
  } finally {
    restore()
  }
  return { stdout, stderr, code }
}

/** The client id and secret of a Basic authorization header, form-decoded (RFC 6749 §2.3.1). */
export function decodeBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic (.+)$/.exec(header ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const decode = (s: string): string => new URLSearchParams(`v=${s}`).get('v') ?? ''
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
}
