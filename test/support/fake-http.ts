// Stand-in HTTP servers on 127.0.0.1 (for CLI tests, token hooks): they record each request and
// answer with whatever the current test says. Also runs CLI commands in-process.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http'
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

export interface LocalServer {
  server: Server
  /** http://127.0.0.1:<port> */
  url: string
  /** Drops open connections and stops listening. */
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1 (OS-chosen port) handing each request with its whole body to `handle`. */
export async function startLocalServer(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export class FakeServer {
  readonly requests: Recorded[] = []
  reply: (req: Recorded) => Reply = () => ({ status: 404, body: { error: 'not_found' } })
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    ;({ server: this.server, url: this.url } = await startLocalServer((req, body, res) => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
      this.requests.push(recorded)
      const out = this.reply(recorded)
      res.writeHead(out.status, { 'content-type': out.contentType ?? 'application/json' })
      res.end(out.raw ?? (out.body === undefined ? '' : JSON.stringify(out.body)))
    }))
  }

  reset(): void {
    this.requests.length = 0
    this.reply = () => ({ status: 404, body: { error: 'not_found' } })
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

/** A call to a token hook: the path, the headers and the JSON body. */
export interface HookCall<B = Record<string, unknown>> {
  path: string
  headers: IncomingHttpHeaders
  body: B
}

/** A token hook endpoint: records every call (JSON body), answers with whatever the current test says. */
export class HookServer<B = Record<string, unknown>> {
  readonly seen: Array<HookCall<B>> = []
  answer: (req: HookCall<B>, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end()
  private local: LocalServer | undefined
  url = ''

  async start(): Promise<void> {
    this.local = await startLocalServer((req, text, res) => {
      const seen = { path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as B }
      this.seen.push(seen)
      this.answer(seen, res)
    })
    this.url = this.local.url
  }

  async stop(): Promise<void> {
    await this.local?.close()
  }
}

/** Answers `body` as JSON with `status`. */
export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

/**
 * Runs the CLI in-process with the given commands registered, capturing its output. With
 * `stdin`, that text is what the commands read from standard input.
 */
export async function runCommands(register: (program: Command) => void, args: string[], stdin?: string): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  let code = 0
  const restore = setCliIo({
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    setExitCode: (c) => (code = c),
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
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
