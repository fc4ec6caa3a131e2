// RFC 6749 §4.1.3: the client exchanges the authorization code the login and consent flow
// issued (flow/consent.ts) for tokens. A code works once; a second use revokes everything the
// first one issued (RFC 6749 §4.1.2, RFC 6819 §5.2.1.1).
import { isPublicClient } from '../../client/model.js'
import { requireSameKey } from '../dpop.js'
import { invalidGrant, invalidRequest } from '../errors.js'
import { verifyPkce } from '../pkce.js'
import { AUTHORIZE_CODE_PREFIX } from '../tokens/opaque-hmac.js'
import { oidcSessionOf } from '../tokens/oidc-session.js'
import { defineGrant } from './grant.js'
import { issueUserTokens, mayRefresh, withIdToken } from './user-tokens.js'

const REUSED = 'The authorization code has already been used.'

export const authorizationCode = defineGrant({
  type: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],
  // Public clients prove possession with PKCE instead.
  clientAuthentication: 'any',
  issues: { refreshToken: true, idToken: true },
  lifespans: {
    access: 'authorization_code_grant_access_token_lifespan',
    refresh: 'authorization_code_grant_refresh_token_lifespan',
    idToken: 'authorization_code_grant_id_token_lifespan',
  },
  unitOfWork: 'transaction',
  dependencies: () => ({}),
  async handle(req, ctx) {
    const { client, form } = req
    const code = form.code
    if (code === undefined || code === '') throw invalidRequest("The request parameter 'code' is missing.")
    const signature = ctx.opaque.signatureOf(code, AUTHORIZE_CODE_PREFIX)
    if (signature === undefined) throw invalidGrant('The authorization code is malformed or was not issued by this server.')
    const rec = await ctx.storage.autocommit.codes.get(signature)
    if (!rec) throw invalidGrant('The authorization code could not be found.')
    if (!rec.active) {
      // The code leaked or was replayed: whatever it bought is revoked (RFC 6749 §4.1.2).
      await ctx.storage.transaction((tx) => tx.tokens.revokeRequest(rec.requestId))
      throw invalidGrant(REUSED)
    }
    const now = ctx.now()
    if (rec.expiresAt.getTime() <= now.getTime()) throw invalidGrant('The authorization code has expired.')
    if (rec.clientId !== client.client_id) {
      throw invalidGrant('The OAuth 2.0 Client ID from this request does not match the one from the authorize request.')
    }
    // RFC 6749 §4.1.3: "ensure that the redirect_uri parameter is present if [it] was included
    // in the initial authorization request ..., and if included ensure that their values are identical".
    const expected = rec.form.redirect_uri
    if (expected !== undefined && expected !== '' && form.redirect_uri !== expected) {
      throw invalidGrant("The 'redirect_uri' from this request does not match the one from the authorize request.")
    }
    verifyPkce(rec.pkce, form.code_verifier, isPublicClient(client), ctx.pkce)
    // RFC 9449 §10: dpop_jkt in the authorization request binds the code to that key.
    requireSameKey(rec.form.dpop_jkt, req.dpopJkt, 'authorization code')

    const { lifespans } = req
    // Never the code or the verifier: stored rows hold no credentials.
    const storedForm = { grant_type: 'authorization_code', ...(form.redirect_uri !== undefined ? { redirect_uri: form.redirect_uri } : {}) }
    // oauth2.token_hook, before anything is consumed: a failing hook leaves the code usable.
    const authenticated = oidcSessionOf(rec.session)
    const hooked = await ctx.tokenHook.run({
      grantType: 'authorization_code',
      client,
      subject: rec.subject,
      requestedScope: rec.requestedScope,
      grantedScope: rec.grantedScope,
      requestedAudience: rec.requestedAudience,
      grantedAudience: rec.grantedAudience,
      form: storedForm,
      accessTokenClaims: rec.session.accessTokenExtra,
      idTokenClaims: authenticated.idTokenExtra,
      oidc: authenticated,
      ...(rec.challengeId !== null ? { challengeId: rec.challengeId } : {}),
    })
    const oidc = { ...authenticated, idTokenExtra: hooked.idTokenClaims }
    const response = await ctx.storage.transaction(async (tx) => {
      // Only one of several concurrent exchanges flips the code; the others count as reuse.
      if (!(await tx.codes.invalidate(signature))) {
        await tx.tokens.revokeRequest(rec.requestId)
        return undefined
      }
      return issueUserTokens(ctx.tokens.withStore(tx.tokens), {
        client,
        subject: rec.subject,
        requestId: rec.requestId,
        challengeId: rec.challengeId,
        requestedScope: rec.requestedScope,
        accessScope: rec.grantedScope,
        refreshScope: rec.grantedScope,
        requestedAudience: rec.requestedAudience,
        grantedAudience: rec.grantedAudience,
        form: storedForm,
        ext: hooked.accessTokenClaims,
        oidc,
        lifespans,
        issueRefresh: mayRefresh(client, rec.grantedScope),
      })
    })
    if (!response) throw invalidGrant(REUSED)
    return withIdToken(response, ctx.idTokens, {
      client,
      subject: rec.subject,
      scope: rec.grantedScope,
      oidc,
      nonce: rec.session.nonce,
      lifespan: lifespans.idToken,
      now,
    })
  },
})
