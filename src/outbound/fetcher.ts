// The one way the server makes an HTTP request to somewhere else (request_uri, jwks_uri,
// sector_identifier_uri, back-channel logout, token hooks, the identity provider, the tracing
// sampler, the console's relay). Every request is bounded:
// - in time: one deadline covers waiting for a slot, connecting, the answer and its body;
// - in size: the body is read as it streams in and dropped as soon as it outgrows its limit,
//   counting decoded bytes (identity encoding is asked for; a gzip, deflate or brotli answer is
//   decoded chunk by chunk, so a compression bomb never inflates past the limit);
// - in fan-out: at most `maxPerDestination` requests run at once per host:port, a few more wait;
// - in reach: redirects are never followed, and with clients.http.disallow_private_ip_ranges the
//   host is resolved once, every address checked, and the socket connects to the checked address
//   (no second lookup, so a rebinding DNS answer cannot slip through), except for URLs matching
//   clients.http.private_ip_exception_urls.
// Errors carry a short message that is safe to show to an API caller: never the remote's status
// or body. The status, when there was one, is on the error for logging.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import type { Transform } from 'node:stream'
import { ipLiteral, isPublicAddress } from './address.js'

export const OUTBOUND_TIMEOUT_MS = 5000
export const OUTBOUND_MAX_BYTES = 1024 * 1024
export const OUTBOUND_MAX_PER_DESTINATION = 8
export const OUTBOUND_MAX_WAITING_PER_DESTINATION = 64

export type OutboundFailure =
  | 'invalid_url'
  | 'disallowed_address'
  | 'unreachable'
  | 'timeout'
  | 'too_large'
  | 'redirect'
  | 'status'
  | 'busy'
  | 'unreadable'

/** Why an outbound request failed; `message` is safe to show, `status` is for logs only. */
export class OutboundError extends Error {
  override name = 'OutboundError'
  constructor(
    readonly reason: OutboundFailure,
    message: string,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause })
  }
}

export interface OutboundOptions {
  /** clients.http.disallow_private_ip_ranges: connect only to public addresses. */
  disallowPrivateIpRanges?: boolean
  /** clients.http.private_ip_exception_urls: globs of URLs exempt from the address check. */
  privateIpExceptionUrls?: readonly string[]
  /** Requests running at once per host:port (default 8). */
  maxPerDestination?: number
  /** Requests waiting for a slot per host:port before new ones are refused (default 64). */
  maxWaitingPerDestination?: number
  /** Default deadline of a request (5 s) and largest body read (1 MiB). */
  timeoutMs?: number
  maxBytes?: number
  /** Where failures are reported (host, reason, status; never URLs' queries, headers or bodies). */
  log?: (fields: Record<string, unknown>, message: string) => void
  /** Name resolution (default: the system resolver); tests point names at addresses. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>
  /** Which addresses the policy lets through (default: public unicast only); tests narrow it. */
  allowAddress?: (ip: string) => boolean
}

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'DELETE'
  headers?: Record<string, string>
  body?: string
  timeoutMs?: number
  maxBytes?: number
  /** Read the body (default true); when false the connection is closed once the status is known. */
  readBody?: boolean
}

export interface OutboundResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)))
  })

/**
 * Hydra's exception globs (gobwas/glob with '.' and '/' as separators), matched against the URL
 * without query and fragment: `*` is any run of characters without '.' or '/', `**` any run at
 * all, `?` one character other than a separator, `{a,b}` either alternative.
 */
export function exceptionMatcher(glob: string): RegExp {
  let re = ''
  let depth = 0
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*'
        i++
      } else re += '[^./]*'
    } else if (c === '?') re += '[^./]'
    else if (c === '{') {
      re += '(?:'
      depth++
    } else if (c === '}' && depth > 0) {
      re += ')'
      depth--
    } else if (c === ',' && depth > 0) re += '|'
    else if (c === '\\' && i + 1 < glob.length) re += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  while (depth-- > 0) re += ')'
  return new RegExp(`^${re}$`)
}

class Slots {
  private active = 0
  private readonly waiting: Array<() => void> = []
  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0
  }

  /** Resolves with a release function once a slot is free; undefined when too many wait. */
  acquire(): Promise<(() => void) | undefined> {
    const release = () => {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
    if (this.active < this.max) {
      this.active++
      return Promise.resolve(once(release))
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(undefined)
    return new Promise((resolve) => this.waiting.push(() => resolve(once(release))))
  }

}

function once(f: () => void): () => void {
  let done = false
  return () => {
    if (!done) {
      done = true
      f()
    }
  }
}

function decoderFor(encoding: string | undefined): Transform | null | undefined {
  const e = (encoding ?? '').trim().toLowerCase()
  if (e === '' || e === 'identity') return null
  if (e === 'gzip' || e === 'x-gzip') return createGunzip()
  if (e === 'deflate') return createInflate()
  if (e === 'br') return createBrotliDecompress()
  return undefined
}

export class OutboundFetcher {
  private readonly destinations = new Map<string, Slots>()
  private readonly exceptions: RegExp[]
  private readonly resolve: (hostname: string) => Promise<LookupAddress[]>
  private readonly allowAddress: (ip: string) => boolean

  constructor(private readonly opts: OutboundOptions = {}) {
    this.exceptions = (opts.privateIpExceptionUrls ?? []).map(exceptionMatcher)
    this.resolve = opts.resolve ?? systemResolve
    this.allowAddress = opts.allowAddress ?? isPublicAddress
  }

  /** Whether requests to `url` are held to public addresses. */
  restricts(url: URL): boolean {
    if (!this.opts.disallowPrivateIpRanges) return false
    const bare = new URL(url.href)
    bare.search = ''
    bare.hash = ''
    return !this.exceptions.some((re) => re.test(bare.href))
  }

  /**
   * Checks that `uri` may be fetched under the address policy, resolving its host: for client
   * metadata at registration. Throws OutboundError('disallowed_address') when every address the
   * host has is refused; a name that does not resolve now is left to the fetch.
   */
  async checkDestination(uri: string): Promise<void> {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw new OutboundError('invalid_url', 'the URL is not valid')
    }
    if (!this.restricts(url)) return
    const literal = ipLiteral(url.hostname)
    if (literal !== undefined) {
      if (!this.allowAddress(literal)) throw disallowed()
      return
    }
    let addresses: LookupAddress[]
    try {
      addresses = await this.resolve(url.hostname)
    } catch {
      return
    }
    if (addresses.length > 0 && !addresses.some((a) => this.allowAddress(a.address))) throw disallowed()
  }

  /** GETs exactly `uri` and returns its body as UTF-8; anything but 200 is a failure. */
  async getText(uri: string, req: Omit<OutboundRequest, 'method' | 'body' | 'readBody'> & { accept?: string } = {}): Promise<string> {
    const { accept, ...rest } = req
    const res = await this.request(uri, { ...rest, headers: { accept: accept ?? 'application/json', ...rest.headers } })
    if (res.status >= 300 && res.status < 400) {
      this.report(uri, 'redirect', res.status)
      throw new OutboundError('redirect', 'redirects are not followed', res.status)
    }
    if (res.status !== 200) {
      this.report(uri, 'status', res.status)
      throw new OutboundError('status', 'the server did not answer with the document', res.status)
    }
    return res.body.toString('utf8')
  }

  /** One request to exactly `uri` (no redirects followed), within every bound. */
  async request(uri: string, req: OutboundRequest = {}): Promise<OutboundResponse> {
    try {
      return await this.send(uri, req)
    } catch (e) {
      const err = e instanceof OutboundError ? e : new OutboundError('unreachable', 'the server could not be reached', undefined, e)
      this.report(uri, err.reason, err.status, err.cause)
      throw err
    }
  }

  private report(uri: string, reason: OutboundFailure, status?: number, cause?: unknown): void {
    if (!this.opts.log) return
    let host = ''
    try {
      host = new URL(uri).host
    } catch {
      // An invalid URL: no host to tell.
    }
    const code = (cause as { code?: unknown } | undefined)?.code
    this.opts.log(
      { host, reason, ...(status !== undefined ? { status } : {}), ...(typeof code === 'string' ? { code } : {}) },
      'outbound request failed',
    )
  }

  private async send(uri: string, req: OutboundRequest): Promise<OutboundResponse> {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw new OutboundError('invalid_url', 'the URL is not valid')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundError('invalid_url', 'the URL must use http or https')
    const restricted = this.restricts(url)
    const literal = ipLiteral(url.hostname)
    if (restricted && literal !== undefined && !this.allowAddress(literal)) throw disallowed()

    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs ?? OUTBOUND_TIMEOUT_MS
    const maxBytes = req.maxBytes ?? this.opts.maxBytes ?? OUTBOUND_MAX_BYTES
    const deadline = Date.now() + timeoutMs
    const timeoutError = () => new OutboundError('timeout', `no answer within ${timeoutMs / 1000} seconds`)

    const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'
    const key = `${url.hostname}:${port}`
    let slots = this.destinations.get(key)
    if (!slots) {
      slots = new Slots(this.opts.maxPerDestination ?? OUTBOUND_MAX_PER_DESTINATION, this.opts.maxWaitingPerDestination ?? OUTBOUND_MAX_WAITING_PER_DESTINATION)
      this.destinations.set(key, slots)
    }
    const release = await this.waitForSlot(slots, deadline, timeoutError)
    try {
      return await this.exchange(url, req, { restricted, maxBytes, deadline, timeoutError })
    } finally {
      release()
      if (slots.idle) this.destinations.delete(key)
    }
  }

  private waitForSlot(slots: Slots, deadline: number, timeoutError: () => OutboundError): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let expired = false
      const timer = setTimeout(() => {
        expired = true
        reject(timeoutError())
      }, Math.max(0, deadline - Date.now()))
      void slots.acquire().then((release) => {
        clearTimeout(timer)
        if (release === undefined) return reject(new OutboundError('busy', 'too many requests to this server are in progress'))
        if (expired) return release()
        resolve(release)
      })
      // A waiter that timed out keeps its queue place until a slot frees, then hands the slot
      // straight back (above), so the queue always drains.
    })
  }

  private exchange(
    url: URL,
    req: OutboundRequest,
    b: { restricted: boolean; maxBytes: number; deadline: number; timeoutError: () => OutboundError },
  ): Promise<OutboundResponse> {
    return new Promise((resolve, reject) => {
      let settled = false
      const chunks: Buffer[] = []
      let size = 0
      let decoder: Transform | null | undefined = null
      let response: IncomingMessage | undefined
      const finish = (err: OutboundError | undefined, value?: OutboundResponse) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (err) {
          decoder?.destroy()
          response?.destroy()
          request.destroy()
          reject(err)
        } else resolve(value as OutboundResponse)
      }
      const timer = setTimeout(() => finish(b.timeoutError()), Math.max(0, b.deadline - Date.now()))

      const headers: Record<string, string> = { 'accept-encoding': 'identity', ...req.headers }
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body))
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const request = send(url, {
        method: req.method ?? 'GET',
        headers,
        // A fresh connection per request: no pooled socket is ever reused across policies.
        agent: false,
        ...(b.restricted ? { lookup: this.guardedLookup() } : {}),
      })
      request.on('error', (e) => {
        if (e instanceof OutboundError) return finish(e)
        finish(new OutboundError('unreachable', 'the server could not be reached', undefined, e))
      })
      request.on('response', (res) => {
        response = res
        const status = res.statusCode ?? 0
        if (req.readBody === false) {
          res.destroy()
          return finish(undefined, { status, headers: res.headers, body: Buffer.alloc(0) })
        }
        decoder = decoderFor(res.headers['content-encoding'])
        if (decoder === undefined) return finish(new OutboundError('unreadable', 'the answer uses an unsupported content encoding', status))
        const stream = decoder ?? res
        if (decoder) {
          res.on('error', () => finish(new OutboundError('unreadable', 'the answer could not be read', status)))
          res.pipe(decoder)
        }
        stream.on('data', (chunk: Buffer) => {
          if (settled) return
          size += chunk.length
          if (size > b.maxBytes) return finish(new OutboundError('too_large', `the answer is larger than ${b.maxBytes} bytes`, status))
          chunks.push(chunk)
        })
        stream.on('error', () => finish(new OutboundError('unreadable', 'the answer could not be read', status)))
        stream.on('end', () => finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('aborted', () => finish(new OutboundError('unreadable', 'the answer could not be read', status)))
      })
      request.end(req.body)
    })
  }

  /** A socket lookup that resolves once and hands the socket only addresses that passed the check. */
  private guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (all) => {
          const family = typeof options.family === 'number' ? options.family : 0
          const allowed = all.filter((a) => this.allowAddress(a.address) && (family === 0 || a.family === family))
          if (allowed.length === 0) {
            const err = disallowed()
            return callback(err as NodeJS.ErrnoException, '', 0)
          }
          if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed)
          const first = allowed[0] as LookupAddress
          callback(null, first.address, first.family)
        },
        (e: unknown) => callback(e as NodeJS.ErrnoException, '', 0),
      )
    }
  }
}

function disallowed(): OutboundError {
  return new OutboundError('disallowed_address', 'the address is not allowed (clients.http.disallow_private_ip_ranges)')
}

/**
 * For what the operator configures and the server itself (tracing, the console's relay to its
 * own public listener): every bound but the address policy.
 */
export const unrestrictedOutbound = new OutboundFetcher()
