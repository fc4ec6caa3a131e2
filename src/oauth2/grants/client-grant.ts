// What the grants a client uses on its own authority share (client_credentials, jwt-bearer,
// token exchange): only a client that authenticated may use them, and the decided token goes
// through the token hook before it is issued.
import { isPublicClient } from '../../client/model.js'
import { unauthorizedClient } from '../errors.js'
import type { AccessTokenResponse, TokenFacts } from '../tokens/service.js'
import { noTokenHook } from '../token-hook.js'
import type { GrantContext, GrantRequest } from './grant.js'

/** Refuses a public client (or one that did not authenticate): it cannot prove who it is. */
export function requireConfidentialClient(req: GrantRequest, grantType: string): void {
  if (req.authMethod === 'none' || isPublicClient(req.client)) {
    throw unauthorizedClient(`The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant '${grantType}'.`)
  }
}

/**
 * Runs the token hook (oauth2.token_hook: it may add the access token's extra claims, or deny it)
 * for a token without an end-user session, then issues the access token with the hook's claims.
 */
export async function hookThenIssueAccess(
  ctx: GrantContext,
  grantType: string,
  facts: TokenFacts,
  opts: {
    /** The parameters shown to the hook. */
    hookForm: Readonly<Record<string, string>>
    /** The parameters kept with the token. */
    form: Readonly<Record<string, string>>
    lifespan: number
  },
): Promise<AccessTokenResponse> {
  // Without a hook the token carries no extra claims: nothing to show or wait for.
  const ext =
    ctx.tokenHook === noTokenHook
      ? {}
      : (await ctx.tokenHook.run({ grantType, ...facts, form: opts.hookForm, accessTokenClaims: {}, idTokenClaims: {} })).accessTokenClaims
  return ctx.tokens.issueAccess({ ...facts, lifespan: opts.lifespan, form: opts.form, ext })
}
