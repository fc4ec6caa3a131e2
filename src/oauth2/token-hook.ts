// The token hook (Hydra's oauth2.token_hook and oauth2.refresh_token_hook): before a grant
// issues tokens it hands the session it is about to issue to the operator's hook, which may add
// claims to the access token (`ext`) and the ID token. Every grant calls `run` once, right
// before issuing, so a grant added later gets the hook by calling it too.
import type { OidcSession } from './tokens/oidc-session.js'
import type { TokenFacts } from './tokens/service.js'

export interface TokenHookInput extends TokenFacts {
  /** The grant_type of the token request. */
  grantType: string
  /** The token request's parameters without credentials. */
  form: Readonly<Record<string, string>>
  /** Extra claims the access token will carry so far (its `ext`). */
  accessTokenClaims: Readonly<Record<string, unknown>>
  /** Extra claims the ID token will carry so far (empty when no ID token is issued). */
  idTokenClaims: Readonly<Record<string, unknown>>
  /** The end-user's authentication (user grants), shown to the hook as the ID token's claims. */
  oidc?: OidcSession
  /** The consent challenge the grant goes back to, when there is one. */
  challengeId?: string
}

export interface TokenHookResult {
  accessTokenClaims: Record<string, unknown>
  idTokenClaims: Record<string, unknown>
}

export interface TokenHook {
  /** The claims to issue; throws an OAuthError when the hook denies or misbehaves. */
  run(input: TokenHookInput): Promise<TokenHookResult>
}

/** No hook configured: the claims are issued as they are. */
export const noTokenHook: TokenHook = {
  async run(input) {
    return { accessTokenClaims: { ...input.accessTokenClaims }, idTokenClaims: { ...input.idTokenClaims } }
  },
}
