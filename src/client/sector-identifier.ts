// OpenID Connect Dynamic Client Registration 1.0 §5: a pairwise client's sector_identifier_uri
// names a JSON array of URLs that must contain every redirect_uri the client registers.
import { invalidClientMetadata } from '../oauth2/errors.js'

export const SECTOR_FETCH_TIMEOUT_MS = 5000
export const SECTOR_MAX_BYTES = 1024 * 1024

/** Fetches the body of exactly `uri`; throws a plain Error whose message is safe to show. */
export type SectorFetcher = (uri: string) => Promise<string>

/** Reads at most `limit` bytes of a response body, refusing anything larger. */
async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw new Error(`the document is larger than ${limit} bytes`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export const fetchSectorDocument: SectorFetcher = async (uri) => {
  let res: Response
  try {
    // No redirects: the only URL ever fetched is the one the client registered.
    res = await fetch(uri, {
      redirect: 'error',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(SECTOR_FETCH_TIMEOUT_MS),
    })
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
    throw new Error(timedOut ? `no answer within ${SECTOR_FETCH_TIMEOUT_MS / 1000} seconds` : 'the request failed', { cause: e })
  }
  if (res.status !== 200) {
    await res.body?.cancel()
    throw new Error(`the server answered with status ${res.status}`)
  }
  return readLimited(res.body, SECTOR_MAX_BYTES)
}

/**
 * Fetches the client's sector identifier document and checks that it lists every redirect URI.
 * Plain http is allowed only in dev mode (OIDC Registration §2: "using the https scheme").
 */
export async function checkSectorIdentifier(
  uri: string,
  redirectUris: readonly string[],
  opts: { dev: boolean; fetch: SectorFetcher },
): Promise<void> {
  if (uri === '') return
  const parsed = new URL(uri)
  if (parsed.protocol !== 'https:' && !(opts.dev && parsed.protocol === 'http:')) {
    throw invalidClientMetadata('Field sector_identifier_uri must use the https scheme.')
  }
  let text: string
  try {
    text = await opts.fetch(parsed.href)
  } catch (e) {
    const reason = e instanceof Error ? e.message : 'the request failed'
    throw invalidClientMetadata(`Unable to fetch the sector_identifier_uri: ${reason}.`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw invalidClientMetadata('The document at sector_identifier_uri is not valid JSON.')
  }
  if (!Array.isArray(doc) || !doc.every((v) => typeof v === 'string')) {
    throw invalidClientMetadata('The document at sector_identifier_uri must be a JSON array of URLs.')
  }
  const listed = new Set(doc)
  for (const r of redirectUris) {
    if (!listed.has(r)) {
      throw invalidClientMetadata(`The redirect_uri ${JSON.stringify(r)} is not listed in the document at sector_identifier_uri.`)
    }
  }
}
