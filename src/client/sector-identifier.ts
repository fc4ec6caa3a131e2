// OpenID Connect Dynamic Client Registration 1.0 §5: a pairwise client's sector_identifier_uri
// names a JSON array of URLs that must contain every redirect_uri the client registers.
import { invalidClientMetadata } from '../oauth2/errors.js'
import { OUTBOUND_MAX_BYTES, OUTBOUND_TIMEOUT_MS, unrestrictedOutbound, type OutboundFetcher } from '../outbound/fetcher.js'

export const SECTOR_FETCH_TIMEOUT_MS = OUTBOUND_TIMEOUT_MS
export const SECTOR_MAX_BYTES = OUTBOUND_MAX_BYTES

/** Fetches the body of exactly `uri`; throws when it cannot (the reason is only logged). */
export type SectorFetcher = (uri: string) => Promise<string>

/** A GET through the bounded outbound fetcher (5 s, 1 MiB, no redirects, 200 only). */
export const sectorFetcher =
  (outbound: OutboundFetcher): SectorFetcher =>
  (uri) =>
    outbound.getText(uri, { timeoutMs: SECTOR_FETCH_TIMEOUT_MS, maxBytes: SECTOR_MAX_BYTES })

/** The fetcher without the address policy (tests, and services built without a registry). */
export const fetchSectorDocument: SectorFetcher = sectorFetcher(unrestrictedOutbound)

// One answer for every way the document can be unusable, so registration cannot be used to probe
// what a URL answers (its status, whether it is JSON, its shape).
const UNUSABLE = 'The sector_identifier_uri could not be fetched as a JSON array of URLs.'

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
  let doc: unknown
  try {
    doc = JSON.parse(await opts.fetch(parsed.href))
  } catch {
    throw invalidClientMetadata(UNUSABLE)
  }
  if (!Array.isArray(doc) || !doc.every((v) => typeof v === 'string')) throw invalidClientMetadata(UNUSABLE)
  const listed = new Set(doc)
  for (const r of redirectUris) {
    if (!listed.has(r)) {
      throw invalidClientMetadata(`The redirect_uri ${JSON.stringify(r)} is not listed in the document at sector_identifier_uri.`)
    }
  }
}
