// JWT access tokens (RFC 9068), signed with the server's `hydra.jwt.access-token` keys. They
// are stored like opaque tokens, by a digest of their signature, so they can be revoked and
// introspected; resource servers may also verify them offline against /.well-known/jwks.json.
import { randomUUID } from 'node:crypto'
import { mayBeAccessToken } from '../../oidc/token-kind.js'
import { decodeProtectedHeader, type JWTPayload } from 'jose'
import { sha384Hex } from '../../crypto/hmac.js'
import { ACCESS_TOKEN_SET, type KeyRing } from '../../jwk/keyring.js'
import type { ActClaim } from '../token-exchange/types.js'

export interface JwtAccessTokenOptions {
  /** urls.self.issuer, exactly as configured. */
  issuer: string
  /** strategies.jwt.scope_claim */
  scopeClaim: 'list' | 'string' | 'both'
  /** oauth2.exclude_not_before_claim */
  excludeNotBefore: boolean
  /** oauth2.allowed_top_level_claims: `ext` claims that are also copied to the top level. */
  allowedTopLevelClaims: readonly string[]
  /** oauth2.mirror_top_level_claims: keep those claims in `ext` too. */
  mirrorTopLevelClaims: boolean
  /**
   * oauth2.preserve_ext_claims: without mirroring, keep the claims that were not copied to the
   * top level in `ext`; without either, the token has no `ext` (Hydra's Session.GetJWTClaims).
   */
  preserveExtClaims?: boolean
}

export interface JwtAccessTokenClaims {
  subject: string
  clientId: string
  audience: readonly string[]
  scope: readonly string[]
  /** Seconds since the epoch. */
  issuedAt: number
  expiresAt: number
  ext: Record<string, unknown>
  /** RFC 8693 §4.1: a top-level `act` claim (token exchange). */
  act?: ActClaim
  /** RFC 9449 §6.1: `cnf.jkt` of a DPoP-bound token. */
  jkt?: string
}

export interface IssuedJwt {
  token: string
  signature: string
  kid: string | undefined
}

// Claims the token's own fields set; `ext` may not override them (Hydra's rule).
const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scp', 'scope', 'ext', 'cnf'])

// Compact JWS: three base64url segments. The length bound keeps garbage cheap to reject.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)$/
const MAX_JWT_LENGTH = 16 * 1024

/** The digest a JWT is stored under, or undefined for anything that is not a compact JWS. */
export function jwtSignatureOf(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length > MAX_JWT_LENGTH) return undefined
  const m = COMPACT_JWS.exec(token)
  // Hydra stores sha384 of the signature: an RSA-4096 signature does not fit a varchar(255) key.
  return m?.[1] === undefined ? undefined : sha384Hex(m[1])
}

export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_JWT_LENGTH && COMPACT_JWS.test(token)
}

export class JwtAccessTokens {
  constructor(
    private readonly keys: KeyRing,
    private readonly opts: JwtAccessTokenOptions,
  ) {}

  async issue(c: JwtAccessTokenClaims): Promise<IssuedJwt> {
    const ext = { ...c.ext }
    const claims: JWTPayload = {}
    for (const name of this.opts.allowedTopLevelClaims) {
      if (RESERVED.has(name) || !Object.hasOwn(ext, name)) continue
      claims[name] = ext[name]
      if (!this.opts.mirrorTopLevelClaims) delete ext[name]
    }
    const keepExt = this.opts.mirrorTopLevelClaims || this.opts.preserveExtClaims === true
    Object.assign(claims, {
      iss: this.opts.issuer,
      sub: c.subject,
      // RFC 9068 §2.2 wants aud; Hydra always sends the (possibly empty) array.
      aud: [...c.audience],
      client_id: c.clientId,
      exp: c.expiresAt,
      iat: c.issuedAt,
      jti: randomUUID(),
    })
    if (!this.opts.excludeNotBefore) claims.nbf = c.issuedAt
    if (c.act) claims.act = c.act
    if (c.jkt !== undefined) claims.cnf = { jkt: c.jkt }
    if (this.opts.scopeClaim !== 'string') claims.scp = [...c.scope]
    if (this.opts.scopeClaim !== 'list') claims.scope = c.scope.join(' ')
    if (keepExt && Object.keys(ext).length > 0) claims.ext = ext
    // RFC 9068 §2.1: typ "at+jwt" keeps the token from being confused with an ID token.
    const token = await this.keys.sign(ACCESS_TOKEN_SET, claims, { typ: 'at+jwt' })
    const signature = jwtSignatureOf(token)
    if (signature === undefined) throw new Error('the key ring returned a value that is not a compact JWS')
    const kid = decodeProtectedHeader(token).kid
    return { token, signature, kid }
  }

  /**
   * True when the token was signed by one of our access-token keys. Never throws: the value is
   * untrusted input. Expiry and revocation are the stored row's business.
   */
  async verify(token: string): Promise<boolean> {
    if (!looksLikeJwt(token)) return false
    try {
      const { payload } = await this.keys.verify(ACCESS_TOKEN_SET, token)
      return mayBeAccessToken(token, payload)
    } catch {
      return false
    }
  }
}
