// Issues access tokens in the configured format and finds presented tokens again. Both formats
// are stored by signature, so revocation and introspection work the same for either.
import { timeOrderedId } from '../../crypto/random.js'
import type { Client } from '../../client/model.js'
import { serverError } from '../errors.js'
import type { TokenKind, TokenRecord, TokenStore } from '../store.js'
import { jwtSignatureOf, looksLikeJwt, type JwtAccessTokens } from './jwt.js'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, opaquePrefixOf, type OpaqueTokens } from './opaque-hmac.js'
import type { OidcSession } from './oidc-session.js'
import type { ActClaim } from '../token-exchange/types.js'
import type { SessionCodec } from './session.js'

/** RFC 6749 §5.1, as Hydra answers it. */
export interface AccessTokenResponse {
  access_token: string
  /** Seconds. */
  expires_in: number
  scope: string
  /** 'N_A' only for a token exchange that issued something other than an access token (RFC 8693 §2.2.1). */
  token_type: 'bearer' | 'N_A' | 'DPoP'
  /** RFC 8693 §2.2.1: token exchange responses name what they issued. */
  issued_token_type?: string
  /** Only when the grant allows refreshing (offline_access / offline granted). */
  refresh_token?: string
  /** Only when `openid` was granted (OpenID Connect Core §3.1.3.3). */
  id_token?: string
  /** Hydra's verifiable credentials (oidc/verifiable-credentials.ts): the proof nonce and its lifetime in seconds. */
  c_nonce_draft_00?: string
  c_nonce_expires_in_draft_00?: number
}

/** What a grant decided a token is about: shown to the token hook, then issued as it is. */
export interface TokenFacts {
  client: Client
  subject: string
  requestedScope: readonly string[]
  grantedScope: readonly string[]
  requestedAudience: readonly string[]
  grantedAudience: readonly string[]
}

export interface AccessTokenGrant extends TokenFacts {
  /** Milliseconds. */
  lifespan: number
  /** The token request's parameters without credentials, kept with the token as Hydra does. */
  form: Readonly<Record<string, string>>
  ext?: Record<string, unknown>
  /** Tokens issued by one grant share a request id; a new one is made when absent. */
  requestId?: string
  /** The consent challenge the grant came from (Hydra's challenge_id). */
  challengeId?: string
  /** Kept (sealed) with the token for refreshed ID tokens and /userinfo. */
  oidc?: OidcSession
  /** RFC 8693 §4.1: who acts for the subject; sealed with the session, a top-level claim in a JWT. */
  act?: ActClaim
  /** Overrides the client's / server's access token strategy (token exchange asking for a JWT). */
  format?: 'opaque' | 'jwt'
}

/** A refresh token of a grant: same family (request id) and session as its access token. */
export interface RefreshTokenGrant extends Omit<AccessTokenGrant, 'lifespan'> {
  /** Milliseconds; null: never expires (ttl.refresh_token = -1). */
  lifespan: number | null
}

export interface FoundToken {
  kind: TokenKind
  record: TokenRecord
}

export interface TokenServiceDeps {
  /** Reads, and the inserts of what it issues (a unit's token store, see withStore). */
  store: Pick<TokenStore, 'get' | 'create'>
  sessions: SessionCodec
  opaque: OpaqueTokens
  /** Absent until the server has a key ring; then only opaque tokens can be issued. */
  jwt: JwtAccessTokens | undefined
  /** strategies.access_token; a client's access_token_strategy overrides it. */
  strategy: 'opaque' | 'jwt'
  now?: () => Date
  /**
   * RFC 9449: the DPoP key thumbprint every access token issued through this service is bound
   * to; `refresh` binds refresh tokens too (public clients, §5).
   */
  binding?: { jkt: string; refresh: boolean }
}

interface Candidate {
  kind: TokenKind
  signature: string
  jwt: boolean
}

/** The stored row of an access or refresh token a grant issues. */
function tokenRecord(
  g: Omit<AccessTokenGrant, 'lifespan'>,
  signature: string,
  requestedAt: Date,
  expiresAt: Date | null,
  session: TokenRecord['session'],
): TokenRecord {
  return {
    signature,
    requestId: g.requestId ?? timeOrderedId(requestedAt.getTime()),
    requestedAt,
    clientId: g.client.client_id,
    requestedScope: [...g.requestedScope],
    grantedScope: [...g.grantedScope],
    requestedAudience: [...g.requestedAudience],
    grantedAudience: [...g.grantedAudience],
    form: { ...g.form },
    session,
    subject: g.subject,
    active: true,
    challengeId: g.challengeId ?? null,
    expiresAt,
  }
}

export class TokenService {
  private readonly now: () => Date

  constructor(private readonly deps: TokenServiceDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  async issueAccess(g: AccessTokenGrant): Promise<AccessTokenResponse> {
    // Whole seconds, so that iat/exp in a JWT, the stored row and expires_in all agree.
    const issuedAt = Math.floor(this.now().getTime() / 1000)
    const lifetime = Math.max(0, Math.floor(g.lifespan / 1000))
    const expiresAt = issuedAt + lifetime
    const ext = g.ext ?? {}
    const strategy = g.format ?? (g.client.access_token_strategy === '' ? this.deps.strategy : g.client.access_token_strategy)
    let token: string
    let signature: string
    let kid: string | undefined
    if (strategy === 'jwt') {
      if (!this.deps.jwt) throw serverError('JWT access tokens need the server key ring, which is not configured.')
      ;({ token, signature, kid } = await this.deps.jwt.issue({
        subject: g.subject,
        clientId: g.client.client_id,
        audience: g.grantedAudience,
        scope: g.grantedScope,
        issuedAt,
        expiresAt,
        ext,
        ...(g.act ? { act: g.act } : {}),
        ...(this.deps.binding ? { jkt: this.deps.binding.jkt } : {}),
      }))
    } else {
      ;({ token, signature } = this.deps.opaque.generate(ACCESS_TOKEN_PREFIX))
    }
    const record = tokenRecord(g, signature, new Date(issuedAt * 1000), new Date(expiresAt * 1000), {
      ext,
      ...(kid !== undefined ? { kid } : {}),
      ...(g.oidc ? { oidc: g.oidc } : {}),
      ...(g.act ? { act: g.act } : {}),
      ...(this.deps.binding ? { cnf: { jkt: this.deps.binding.jkt } } : {}),
    })
    await this.deps.store.create('access', this.deps.sessions.seal(record))
    const tokenType = this.deps.binding ? 'DPoP' : 'bearer'
    return { access_token: token, expires_in: lifetime, scope: g.grantedScope.join(' '), token_type: tokenType }
  }

  /** Stores a new `ory_rt_` refresh token (by signature only) and returns it. */
  async issueRefresh(g: RefreshTokenGrant): Promise<string> {
    const now = Math.floor(this.now().getTime() / 1000) * 1000
    const { token, signature } = this.deps.opaque.generate(REFRESH_TOKEN_PREFIX)
    const expiresAt = g.lifespan === null ? null : new Date(now + Math.max(0, g.lifespan))
    const bound = this.deps.binding?.refresh === true ? { cnf: { jkt: this.deps.binding.jkt } } : {}
    const record = tokenRecord(g, signature, new Date(now), expiresAt, { ext: g.ext ?? {}, ...(g.oidc ? { oidc: g.oidc } : {}), ...bound })
    await this.deps.store.create('refresh', this.deps.sessions.seal(record))
    return token
  }

  /** The stored record of a presented refresh token, whatever its state; undefined when unknown. */
  async findRefresh(token: string): Promise<TokenRecord | undefined> {
    const signature = this.deps.opaque.signatureOf(token, REFRESH_TOKEN_PREFIX)
    if (signature === undefined) return undefined
    const stored = await this.deps.store.get('refresh', signature)
    return stored ? this.deps.sessions.open(stored) : undefined
  }

  /** The same service issuing tokens bound to the DPoP key `jkt` (and refresh tokens when `refresh`). */
  boundTo(jkt: string, refresh: boolean): TokenService {
    return new TokenService({ ...this.deps, now: this.now, binding: { jkt, refresh } })
  }

  /** The same service writing through `store`, e.g. one bound to a transaction. */
  withStore(store: Pick<TokenStore, 'get' | 'create'>): TokenService {
    return new TokenService({ ...this.deps, store, now: this.now })
  }

  /**
   * Where a presented token could be stored, without touching the database. Opaque tokens
   * whose HMAC does not verify have no candidates, so garbage costs no query.
   */
  private candidates(token: string, hint: TokenKind | undefined): Candidate[] {
    if (looksLikeJwt(token)) {
      const signature = jwtSignatureOf(token)
      return signature === undefined ? [] : [{ kind: 'access', signature, jwt: true }]
    }
    const prefix = opaquePrefixOf(token)
    if (prefix === ACCESS_TOKEN_PREFIX || prefix === REFRESH_TOKEN_PREFIX) {
      const kind: TokenKind = prefix === ACCESS_TOKEN_PREFIX ? 'access' : 'refresh'
      const signature = this.deps.opaque.signatureOf(token, prefix)
      return signature === undefined ? [] : [{ kind, signature, jwt: false }]
    }
    if (prefix !== undefined) return []
    // Unprefixed tokens (minted before Hydra added prefixes) may be either kind.
    const signature = this.deps.opaque.signatureOf(token, ACCESS_TOKEN_PREFIX)
    if (signature === undefined) return []
    const kinds: TokenKind[] = hint === 'refresh' ? ['refresh', 'access'] : ['access', 'refresh']
    return kinds.map((kind) => ({ kind, signature, jwt: false }))
  }

  /**
   * The stored record of a presented token, whatever its state (revoked and expired records are
   * returned too; use isActive). JWTs must also verify against our keys when `verifyJwt` is set.
   */
  async find(token: string, opts: { hint?: TokenKind; verifyJwt?: boolean } = {}): Promise<FoundToken | undefined> {
    for (const c of this.candidates(token, opts.hint)) {
      if (c.jwt && opts.verifyJwt && !(await this.deps.jwt?.verify(token))) return undefined
      const stored = await this.deps.store.get(c.kind, c.signature)
      if (!stored) continue
      const record = this.deps.sessions.open(stored)
      return record ? { kind: c.kind, record } : undefined
    }
    return undefined
  }

  isActive(record: TokenRecord): boolean {
    return record.active && (record.expiresAt === null || record.expiresAt.getTime() > this.now().getTime())
  }
}
