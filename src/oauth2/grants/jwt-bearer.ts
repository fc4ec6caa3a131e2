// RFC 7523 §2.1: a JWT from an issuer the operator trusts (/admin/trust/grants/jwt-bearer/issuers)
// is exchanged for an access token about the JWT's subject. The client authenticates as usual.
import { invalidRequest, invalidScope } from '../errors.js'
import { grantAudience } from '../scopes.js'
import { hookThenIssueAccess } from './client-grant.js'
import { defineGrant } from './grant.js'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

export const jwtBearer = defineGrant({
  type: JWT_BEARER_GRANT,
  parameters: ['assertion', 'scope', 'audience'],
  repeatable: ['audience'],
  // Hydra: clients using this grant must be authenticated.
  clientAuthentication: 'confidential',
  issues: { refreshToken: false, idToken: false },
  lifespans: { access: 'jwt_bearer_grant_access_token_lifespan' },
  unitOfWork: 'single-write',
  // Off without the trust relationships; `audiences` are what the assertion's `aud` may name.
  dependencies: (s) => (s.trustedJwts ? { trustedJwts: s.trustedJwts, audiences: s.assertionAudiences } : undefined),
  async handle(req, ctx, { trustedJwts, audiences }) {
    const { client } = req
    const assertion = req.form.assertion
    if (assertion === undefined || assertion === '') {
      throw invalidRequest(`The 'assertion' request parameter must be set when using grant_type of '${JWT_BEARER_GRANT}'.`)
    }
    const now = ctx.now()
    const trusted = await trustedJwts.verify(assertion, { audiences, now })

    // Every requested scope must be allowed by the client and by the trust relationship.
    const clientScope = client.scope.split(' ').filter((s) => s !== '')
    for (const scope of req.scope) {
      if (!ctx.scopes(clientScope, scope)) {
        throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${scope}'.`)
      }
      if (!ctx.scopes(trusted.allowedScope, scope)) {
        throw invalidScope(`The public key registered for issuer '${trusted.issuer}' and subject '${trusted.subject}' is not allowed to request scope '${scope}'.`)
      }
    }
    const grantedScope = [...req.scope]
    const grantedAudience = grantAudience(client.audience, req.audience)
    if (!ctx.config.oauth2.grant.jwt.omit_assertion_audience) {
      // Hydra's default (omit_assertion_audience false): the assertion's own audience is granted too.
      const aud = trusted.claims.aud
      for (const a of typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []) {
        if (typeof a === 'string' && !grantedAudience.includes(a)) grantedAudience.push(a)
      }
    }

    const facts = {
      client,
      subject: trusted.subject,
      requestedScope: req.scope,
      grantedScope,
      requestedAudience: req.audience,
      grantedAudience,
    }
    // The assertion is a bearer credential: it is not kept with the token.
    const { assertion: _assertion, ...form } = req.form
    return hookThenIssueAccess(ctx, JWT_BEARER_GRANT, facts, {
      hookForm: req.form,
      form,
      lifespan: req.lifespans.access,
    })
  },
})
