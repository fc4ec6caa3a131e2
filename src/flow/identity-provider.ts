// urls.identity_provider: as Hydra does with Ory Kratos, a login session that ends (logout, or
// revocation by sid) ends the identity provider's session too: Kratos' admin disableSession,
// DELETE {url}/admin/sessions/{id}, with the configured headers. It runs in the background
// (Hydra: a goroutine with a 30 s timeout): the logout never waits for it, and a failure is only
// logged.
import type { Config } from '../config/types.js'
import { appendPath } from '../url-path.js'
import { OutboundError, unrestrictedOutbound, type OutboundFetcher } from '../outbound/fetcher.js'
import type { LoginSession } from './model.js'

/** Hydra's context.WithTimeout for the Kratos call. */
const TIMEOUT_MS = 30_000

/** Ends the identity provider's session behind a deleted login session; never throws, never waits. */
export type EndIdentityProviderSession = (session: LoginSession) => void

export type SendDelete = (url: string, headers: Record<string, string>, timeoutMs: number) => Promise<void>

/**
 * The one outbound call: a DELETE of exactly `url` (no redirects), bounded in time; a non-2xx
 * answer is a failure. Its body is never read: it is the identity provider's business.
 */
export const deleteWith =
  (outbound: OutboundFetcher): SendDelete =>
  async (url, headers, timeoutMs) => {
    const res = await outbound.request(url, { method: 'DELETE', headers, timeoutMs, readBody: false })
    if (res.status < 200 || res.status > 299) throw new Error(`the identity provider answered ${res.status}`)
  }

export const sendDelete: SendDelete = deleteWith(unrestrictedOutbound)

/** Kratos' admin disableSession URL for a session id, under the configured admin URL's path. */
export function disableSessionUrl(adminUrl: string, sessionId: string): string {
  return appendPath(adminUrl, `/admin/sessions/${encodeURIComponent(sessionId)}`)
}

export function identityProviderSessions(
  cfg: Config['urls']['identity_provider'],
  warn: (fields: Record<string, unknown>, message: string) => void,
  send: SendDelete = sendDelete,
): EndIdentityProviderSession | undefined {
  const adminUrl = cfg?.url
  if (adminUrl === undefined) return undefined
  const headers = { ...cfg?.headers }
  return (session) => {
    const id = session.identityProviderSessionId
    if (id === '') return
    send(disableSessionUrl(adminUrl, id), headers, TIMEOUT_MS).catch((e: unknown) => {
      const reason = e instanceof OutboundError && e.reason === 'timeout' ? 'no answer within 30 seconds' : e instanceof Error ? e.message : String(e)
      // Session ids only: the headers may carry the identity provider's credentials.
      warn({ sid: session.id, identity_provider_session_id: id }, `unable to disable the session at the identity provider: ${reason}`)
    })
  }
}
