// Token introspection (RFC 7662), answered as Hydra's admin endpoint does.
import { hasScopes, splitScope, type ScopeMatcher } from './scopes.js'
import type { TokenService } from './tokens/service.js'
import type { ActClaim } from './token-exchange/types.js'

/** RFC 7662 §2.2; empty members are left out, as Go's omitempty does in Hydra. */
export interface IntrospectionResponse {
  active: boolean
  scope?: string
  client_id?: string
  sub?: string
  exp?: number
  iat?: number
  nbf?: number
  aud?: string[]
  iss?: string
  token_type?: string
  token_use?: 'access_token' | 'refresh_token'
  ext?: Record<string, unknown>
  /** RFC 8693 §4.1, for tokens issued by a token exchange. */
  act?: ActClaim
  /** RFC 9449 §6.2: the key a DPoP-bound token is bound to. */
  cnf?: { jkt: string }
}

export interface IntrospectorDeps {
  /**
   * Finds a token only while its client exists (TokenStore.get), so a token of a deleted client
   * is not active, whatever its row says, and introspection costs one query.
   */
  tokens: TokenService
  scopes: ScopeMatcher
  /** urls.self.issuer */
  issuer: string
}

// RFC 7662 §2.2: anything the server cannot vouch for is just "not active", never an error.
const INACTIVE: IntrospectionResponse = Object.freeze({ active: false })

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000)

export class Introspector {
  private readonly issuer: string

  constructor(private readonly deps: IntrospectorDeps) {
    // Exactly the configured issuer, as in every token we sign: no slash added or removed.
    this.issuer = deps.issuer
  }

  /** `scope`, when given, lists scopes the token must all carry, or it is reported inactive. */
  async introspect(token: string, scope?: string): Promise<IntrospectionResponse> {
    if (token === '') return INACTIVE
    const found = await this.deps.tokens.find(token, { verifyJwt: true })
    if (!found || !this.deps.tokens.isActive(found.record)) return INACTIVE
    const r = found.record
    if (!hasScopes(r.grantedScope, splitScope(scope), this.deps.scopes)) return INACTIVE
    const out: IntrospectionResponse = { active: true }
    if (r.grantedScope.length > 0) out.scope = r.grantedScope.join(' ')
    out.client_id = r.clientId
    if (r.subject !== '') out.sub = r.subject
    if (r.expiresAt !== null) out.exp = seconds(r.expiresAt)
    out.iat = seconds(r.requestedAt)
    out.nbf = seconds(r.requestedAt)
    if (r.grantedAudience.length > 0) out.aud = [...r.grantedAudience]
    out.iss = this.issuer
    // RFC 9449 §6.2: a bound access token is a DPoP token.
    if (found.kind === 'access') out.token_type = r.session.cnf ? 'DPoP' : 'Bearer'
    out.token_use = found.kind === 'access' ? 'access_token' : 'refresh_token'
    if (Object.keys(r.session.ext).length > 0) out.ext = r.session.ext
    if (r.session.act) out.act = r.session.act
    if (r.session.cnf) out.cnf = { jkt: r.session.cnf.jkt }
    return out
  }
}
