// Trust relationships for the JWT profile grants (RFC 7523 §2.1 jwt-bearer, and RFC 8693 token
// exchange with JWT subject/actor tokens): an issuer outside Orthrus whose key an operator
// registered through /admin/trust/grants/jwt-bearer/issuers.

/** A JWT from a trusted issuer, after every check passed. */
export interface TrustedAssertion {
  /** The trust relationship that vouched for it. */
  trustId: string
  issuer: string
  subject: string
  /** The scopes the trust relationship allows for this subject. */
  allowedScope: string[]
  /** Every claim of the verified JWT. */
  claims: Readonly<Record<string, unknown>>
  expiresAt: Date
}

export interface TrustedJwtOptions {
  /**
   * Values of which `aud` must contain at least one (e.g. the token endpoint URL); undefined skips
   * the audience check (oauth2.grant.jwt.omit_assertion_audience semantics are the caller's).
   */
  audiences?: readonly string[]
  now: Date
}

export interface TrustedJwtVerifier {
  /**
   * Verifies a JWT from a trusted issuer: signature with the relationship's key, `iss`, `sub`
   * allowed (or any subject), `exp` present and within oauth2.grant.jwt.max_ttl, `iat`/`nbf`
   * rules, `aud` when asked, and `jti` single use (unless oauth2.grant.jwt.jti_optional and
   * absent). Throws an OAuthError `invalid_grant` describing the first failed check.
   */
  verify(jwt: string, opts: TrustedJwtOptions): Promise<TrustedAssertion>
}

/** One trust relationship as the domain sees it (Hydra's trustedOAuth2JwtGrantIssuer). */
export interface TrustRelationship {
  id: string
  issuer: string
  /** '' when allowAnySubject. */
  subject: string
  allowAnySubject: boolean
  scope: string[]
  /** The key set the key is reported in: the issuer, as Hydra does. */
  keySet: string
  keyId: string
  /** The public JWK (no private members). */
  publicKey: Readonly<Record<string, unknown>>
  createdAt: Date
  expiresAt: Date
}
