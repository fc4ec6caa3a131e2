// How relying parties learn that a login session ended:
// - OpenID Connect Front-Channel Logout 1.0: the logout page embeds each client's
//   frontchannel_logout_uri in an iframe (§2: with `iss` and `sid` when the client requires them).
// - OpenID Connect Back-Channel Logout 1.0: the server POSTs a signed Logout Token to each
//   client's backchannel_logout_uri (§2.5), without involving the browser.
import { randomUUID } from 'node:crypto'
import type { Client } from '../client/model.js'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { subjectFor } from './subject.js'
import { OutboundError, unrestrictedOutbound, type OutboundFetcher } from '../outbound/fetcher.js'

/** Back-Channel Logout 1.0 §2.4: the event that makes a JWT a Logout Token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** §2.4 / RFC 8725 §3.11: explicit typing keeps a Logout Token from passing as an ID token. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt'

/** The session that ended. */
export interface EndedSession {
  sid: string
  subject: string
}

export interface LogoutNotifierDeps {
  issuer: string
  keys: Pick<KeyRing, 'sign'>
  /** oidc.subject_identifiers.pairwise.salt: the Logout Token's `sub` is the client's subject identifier. */
  pairwiseSalt: string | undefined
  /** Only warnings; the token itself is never passed. */
  warn: (fields: Record<string, unknown>, message: string) => void
  /** Per request (§2.5 leaves it to the OP; the user must never wait on a slow RP). */
  timeoutMs?: number
  /** The bounded outbound fetcher (address policy included); an unrestricted one by default. */
  outbound?: OutboundFetcher
}

/** Front-Channel Logout 1.0 §2: the iframe URLs for the clients of an ended session. */
export function frontChannelUrls(issuer: string, clients: readonly Client[], sid: string): string[] {
  const urls: string[] = []
  for (const c of clients) {
    if (c.frontchannel_logout_uri === '') continue
    const url = new URL(c.frontchannel_logout_uri)
    if (c.frontchannel_logout_session_required) {
      url.searchParams.set('iss', issuer)
      url.searchParams.set('sid', sid)
    }
    urls.push(url.href)
  }
  return urls
}

export class LogoutNotifier {
  constructor(private readonly d: LogoutNotifierDeps) {}

  /** Back-Channel Logout 1.0 §2.4: the Logout Token for one client. */
  async logoutToken(client: Client, session: EndedSession, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000)
    const claims: Record<string, unknown> = {
      iss: this.d.issuer,
      aud: [client.client_id],
      iat,
      // §2.4 requires exp; two minutes, as the spec suggests.
      exp: iat + 120,
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    }
    // §2.4: sid is always known here, so it is always sent; sub too unless it cannot be derived.
    if (session.sid !== '') claims.sid = session.sid
    try {
      if (session.subject !== '') claims.sub = subjectFor(client, session.subject, '', this.d.pairwiseSalt)
    } catch {
      // A pairwise client without a usable sector: the sid alone identifies the session.
    }
    // §2.4: a Logout Token MUST NOT contain a nonce; none is ever added.
    return this.d.keys.sign(ID_TOKEN_SET, claims, { typ: LOGOUT_TOKEN_TYP })
  }

  private async post(client: Client, session: EndedSession, now: Date): Promise<void> {
    const outbound = this.d.outbound ?? unrestrictedOutbound
    try {
      const token = await this.logoutToken(client, session, now)
      const res = await outbound.request(client.backchannel_logout_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        timeoutMs: this.d.timeoutMs ?? 5000,
        // The answer's body is not needed (§2.8): the connection is dropped once the status is in.
        readBody: false,
      })
      // §2.8: 200 (or 204) means done; anything else is the RP's problem, only logged.
      if (res.status < 200 || res.status > 299) this.d.warn({ client_id: client.client_id, status: res.status }, 'back-channel logout was refused')
    } catch (e) {
      const reason = e instanceof OutboundError ? e.reason : 'unknown'
      this.d.warn({ client_id: client.client_id, reason }, 'back-channel logout failed')
    }
  }

  /** Notifies every client with a backchannel_logout_uri, in parallel; never rejects. */
  async backChannel(clients: readonly Client[], session: EndedSession, now: Date): Promise<void> {
    const targets = clients.filter((c) => c.backchannel_logout_uri !== '')
    await Promise.allSettled(targets.map((c) => this.post(c, session, now)))
  }
}
