// With clients.http.disallow_private_ip_ranges on, the URLs a client registers for the server to
// call are checked when the client is created or updated, not only when they are fetched: an IP
// literal or a host name that resolves only to refused addresses is invalid client metadata.
// The fetch checks again (names can change what they resolve to).
import { invalidClientMetadata } from '../oauth2/errors.js'
import { OutboundError, type OutboundFetcher } from '../outbound/fetcher.js'
import type { ClientMetadata } from './model.js'

/** Every URL of the metadata the server itself fetches or calls, with its field name. */
function serverCalledUris(meta: ClientMetadata): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (meta.jwks_uri !== '') out.push(['jwks_uri', meta.jwks_uri])
  if (meta.sector_identifier_uri !== '') out.push(['sector_identifier_uri', meta.sector_identifier_uri])
  if (meta.backchannel_logout_uri !== '') out.push(['backchannel_logout_uri', meta.backchannel_logout_uri])
  for (const u of meta.request_uris) out.push(['request_uris', u])
  return out
}

/** Refuses metadata pointing the server at an address the outbound policy refuses (400 invalid_client_metadata). */
export async function checkServerCalledUris(meta: ClientMetadata, outbound: OutboundFetcher | undefined): Promise<void> {
  if (!outbound) return
  for (const [field, uri] of serverCalledUris(meta)) {
    try {
      await outbound.checkDestination(uri)
    } catch (e) {
      if (e instanceof OutboundError && e.reason === 'disallowed_address') {
        throw invalidClientMetadata(`Field ${field} points to a private, loopback or otherwise non-public address, which this server does not call.`)
      }
      // Anything else (a URL that does not parse) is the validator's business.
    }
  }
}
