// RFC 6749 §4.4: a confidential client asks for a token on its own behalf.
import { grantAudience, grantScopes } from '../scopes.js'
import { hookThenIssueAccess } from './client-grant.js'
import { defineGrant } from './grant.js'

export const clientCredentials = defineGrant({
  type: 'client_credentials',
  parameters: ['scope', 'audience'],
  repeatable: ['audience'],
  // RFC 6749 §4.4.2: the client MUST authenticate, which a public client cannot.
  clientAuthentication: 'confidential',
  refusedAtRegistrationForPublicClients: true,
  issues: { refreshToken: false, idToken: false },
  lifespans: { access: 'client_credentials_grant_access_token_lifespan' },
  unitOfWork: 'single-write',
  dependencies: () => ({}),
  async handle(req, ctx) {
    const { client } = req
    const grantedScope = grantScopes(client.scope, req.scope, {
      matcher: ctx.scopes,
      // Hydra's MITREid compatibility switch: no scope asked for means every scope allowed.
      grantAllByDefault: ctx.config.oauth2.client_credentials.default_grant_allowed_scope,
    })
    const grantedAudience = grantAudience(client.audience, req.audience)
    const facts = {
      client,
      // Hydra: the token is about the client itself.
      subject: client.client_id,
      requestedScope: req.scope,
      grantedScope,
      requestedAudience: req.audience,
      grantedAudience,
    }
    return hookThenIssueAccess(ctx, 'client_credentials', facts, {
      hookForm: req.form,
      form: req.form,
      lifespan: req.lifespans.access,
    })
  },
})
