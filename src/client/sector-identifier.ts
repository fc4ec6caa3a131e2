// OpenID Connect Dynamic Client Registration 1.0 §5: a pairwise client's sector_identifier_uri
// names a JSON array of URLs that must contain every redirect_uri the client registers.
import { invalidClientMetadata } from '../oauth2/errors.js'
import { FETCH_MAX_BYTES, FETCH_TIMEOUT_MS, fetchBounded } from './fetch-bounded.js'

export const SECTOR_FETCH_TIMEOUT_MS = FETCH_TIMEOUT_MS
export const SECTOR_MAX_BYTES = FETCH_MAX_BYTES

/** Fetches the body of exactly `uri`; throws a plain Error whose message is safe to show. */
export type SectorFetcher = (uri: string) => Promise<string>

export const fetchSectorDocument: SectorFetcher = (uri) =>
  fetchBounded(uri, { timeoutMs: SECTOR_FETCH_TIMEOUT_MS, maxBytes: SECTOR_MAX_BYTES })

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
