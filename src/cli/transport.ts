// One HTTP exchange for the CLI over node:http(s). The global fetch would do, but loading its
// implementation costs a client command a good part of its start-up; the CLI needs only a plain
// request and the whole answer. Redirects are not followed: the Orthrus APIs answer directly.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

export interface SendInit {
  method: string
  headers: Record<string, string>
  body?: string | undefined
}

export interface RawResponse {
  status: number
  statusText: string
  headers: { get(name: string): string | null }
  text: string
}

/** A failure before any answer arrived (`connect`) or while reading it (`read`). */
export class TransportError extends Error {
  constructor(
    readonly phase: 'connect' | 'read',
    readonly reason: string,
  ) {
    super(reason)
  }
}

export async function send(url: string, init: SendInit): Promise<RawResponse> {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    throw new TransportError('connect', 'invalid URL')
  }
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http')
  const headers = { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) }
  return new Promise<RawResponse>((resolve, reject) => {
    // agent: false: one connection, closed after the answer, so the process exits right away.
    const req = request(target, { method: init.method, headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      // A reset mid-body surfaces as an error ("aborted") or only as a close before the end.
      const cut = () => reject(new TransportError('read', 'the connection closed early'))
      res.on('error', cut)
      res.on('close', () => {
        if (!res.complete) cut()
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: headerReader(res.headers),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    req.on('error', (e) => reject(new TransportError('connect', errorText(e))))
    req.end(init.body)
  })
}

// Connecting to a name with several addresses may fail as an AggregateError: its first error says why.
function errorText(e: Error & { code?: string; errors?: unknown[] }): string {
  const first = Array.isArray(e.errors) ? e.errors[0] : undefined
  if (first instanceof Error) return errorText(first)
  return e.message || e.code || String(e)
}

function headerReader(headers: IncomingHttpHeaders): RawResponse['headers'] {
  return {
    get(name) {
      const value = headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}
