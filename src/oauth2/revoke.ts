// Token revocation (RFC 7009). Revoking one token revokes everything its grant issued, as in
// Hydra: the access tokens are deleted, the refresh tokens deactivated.
import type { Client } from '../client/model.js'
import type { UnitOfWork } from '../unit-of-work.js'
import type { TokenKind } from './store.js'
import type { TokenService } from './tokens/service.js'

export interface RevocationDeps {
  tokens: TokenService
  units: UnitOfWork
}

/** RFC 7009 §2.1 hints; RFC 7009 §2.2: an unknown hint is ignored. */
export function hintKind(hint: string | undefined): TokenKind | undefined {
  if (hint === 'access_token') return 'access'
  if (hint === 'refresh_token') return 'refresh'
  return undefined
}

export class Revocation {
  constructor(private readonly deps: RevocationDeps) {}

  /**
   * Revokes `token` on behalf of the authenticated `client`. An unknown, malformed or already
   * revoked token, and a token of another client, are all a silent success (RFC 7009 §2.2): the
   * answer must not tell a client whether some other client's token exists.
   */
  async revoke(client: Client, token: string, hint?: string): Promise<void> {
    const kind = hintKind(hint)
    const found = await this.deps.tokens.find(token, kind ? { hint: kind } : {})
    if (!found || found.record.clientId !== client.client_id) return
    const { requestId } = found.record
    await this.deps.units.transaction((tx) => tx.tokens.revokeRequest(requestId))
  }

  /** Admin: removes every access and refresh token issued to a client. */
  async deleteClientTokens(clientId: string): Promise<void> {
    await this.deps.units.transaction((tx) => tx.tokens.deleteClientTokens(clientId))
  }
}
