// RFC 6749 §4.4: a confidential client asks for a token on its own behalf.
import { isPublicClient } from '../../client/model.js'
import { unauthorizedClient } from '../errors.js'
import { grantAudience, grantScopes } from '../scopes.js'
import type { Grant } from './grant.js'

export const clientCredentials: Grant = {
  type: 'client_credentials',
  parameters: ['scope', 'audience'],
  async handle(req, { tokens, scopes, config, tokenHook }) {
    const { client } = req
    // RFC 6749 §4.4.2: the client MUST authenticate, which a public client cannot.
    if (req.authMethod === 'none' || isPublicClient(client)) {
      throw unauthorizedClient(
        "The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant 'client_credentials'.",
      )
    }
    const grantedScope = grantScopes(client.scope, req.scope, {
      matcher: scopes,
      // Hydra's MITREid compatibility switch: no scope asked for means every scope allowed.
      grantAllByDefault: config.oauth2.client_credentials.default_grant_allowed_scope,
    })
    const grantedAudience = grantAudience(client.audience, req.audience)
    // oauth2.token_hook: the operator's endpoint may add the token's extra claims, or deny it.
    const hooked = await tokenHook.run({
      grantType: 'client_credentials',
      client,
      subject: client.client_id,
      requestedScope: req.scope,
      grantedScope,
      requestedAudience: req.audience,
      grantedAudience,
      form: req.form,
      accessTokenClaims: {},
      idTokenClaims: {},
    })
    return tokens.issueAccess({
      client,
      // Hydra: the token is about the client itself.
      subject: client.client_id,
      requestedScope: req.scope,
      grantedScope,
      requestedAudience: req.audience,
      grantedAudience,
      lifespan: client.lifespans.client_credentials_grant_access_token_lifespan ?? config.ttl.access_token,
      form: req.form,
      ext: hooked.accessTokenClaims,
    })
  },
}
