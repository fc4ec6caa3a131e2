// A small, bounded GET for documents a client registers by URL (sector identifier, jwks_uri):
// exactly the URL given (no redirects), a timeout, and a size limit read as the body streams in.

export const FETCH_TIMEOUT_MS = 5000
export const FETCH_MAX_BYTES = 1024 * 1024

export interface BoundedFetchOptions {
  timeoutMs?: number
  maxBytes?: number
  accept?: string
}

/** Thrown by readLimited when the body outgrows its limit; the message is safe to show. */
export class BodyTooLarge extends Error {
  constructor(limit: number) {
    super(`the document is larger than ${limit} bytes`)
    this.name = 'BodyTooLarge'
  }
}

/**
 * Reads at most `limit` bytes of a response body as UTF-8, refusing anything larger
 * (BodyTooLarge) as soon as the bytes read so far exceed it; the rest is not downloaded.
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge(limit)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * GETs exactly `uri` and returns its body as text; throws a plain Error whose message is safe to
 * show (it never carries the body).
 */
export async function fetchBounded(uri: string, opts: BoundedFetchOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS
  const signal = AbortSignal.timeout(timeoutMs)
  const timedOut = (e: unknown) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
  const timeoutMessage = `no answer within ${timeoutMs / 1000} seconds`
  let res: Response
  try {
    // No redirects: the only URL ever fetched is the one the client registered.
    res = await fetch(uri, { redirect: 'error', headers: { accept: opts.accept ?? 'application/json' }, signal })
  } catch (e) {
    throw new Error(timedOut(e) ? timeoutMessage : 'the request failed', { cause: e })
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined)
    throw new Error(`the server answered with status ${res.status}`)
  }
  try {
    return await readLimited(res.body, opts.maxBytes ?? FETCH_MAX_BYTES)
  } catch (e) {
    if (timedOut(e)) throw new Error(timeoutMessage, { cause: e })
    if (e instanceof BodyTooLarge) throw e
    throw new Error('the response could not be read', { cause: e })
  }
}
