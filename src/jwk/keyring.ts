import type { JWTPayload } from 'jose'

/** The well-known key sets Hydra creates on first start. */
export const ID_TOKEN_SET = 'hydra.openid.id-token'
export const ACCESS_TOKEN_SET = 'hydra.jwt.access-token'

/** What the protocol core needs from the server's own keys, without knowing how they are stored. */
export interface KeyRing {
  /** Signs claims with the newest signing key of the set; `typ` goes into the JOSE header. */
  sign(set: string, claims: JWTPayload, header?: { typ?: string }): Promise<string>
  /** Verifies a JWS made with any key of the set (current or rotated); throws when it does not verify. */
  verify(set: string, token: string): Promise<{ payload: JWTPayload; kid: string }>
  /**
   * The `alg` the next sign() of the set will use: claims such as `at_hash` depend on it
   * (OpenID Connect Core §3.1.3.6). Undefined when the set has no signing key.
   */
  signingAlg(set: string): Promise<string | undefined>
}
