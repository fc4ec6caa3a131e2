// RFC 6749 §6: a refresh token buys a new access token. Every use rotates it (OAuth 2.0
// Security BCP §4.14.2): the old one is consumed, a new one issued in the same family (request
// id). Presenting a consumed one again means it leaked, so the whole family is revoked.
import { requireSameKey } from '../dpop.js'
import { invalidGrant, invalidRequest, invalidScope } from '../errors.js'
import type { RefreshGrace } from '../store.js'
import { splitScope } from '../scopes.js'
import { defineGrant, type GrantContext } from './grant.js'
import { issueUserTokens, withIdToken } from './user-tokens.js'

const UNUSABLE = 'The refresh token has been used, revoked or is otherwise inactive.'

/** oauth2.grant.refresh_token.rotation_grace_*: how long a used token still works, never past its expiry. */
function graceFor(ctx: GrantContext, expiresAt: Date | null, now: Date): RefreshGrace | undefined {
  const { rotation_grace_period: period, rotation_grace_reuse_count: reuseCount } = ctx.config.oauth2.grant.refresh_token
  if (period <= 0) return undefined
  const end = now.getTime() + period
  return { until: new Date(expiresAt === null ? end : Math.min(end, expiresAt.getTime())), reuseCount }
}

export const refreshToken = defineGrant({
  type: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  clientAuthentication: 'any',
  issues: { refreshToken: true, idToken: true },
  lifespans: {
    access: 'refresh_token_grant_access_token_lifespan',
    refresh: 'refresh_token_grant_refresh_token_lifespan',
    idToken: 'refresh_token_grant_id_token_lifespan',
  },
  unitOfWork: 'transaction',
  dependencies: () => ({}),
  async handle(req, ctx) {
    const { client } = req
    const presented = req.form.refresh_token
    if (presented === undefined || presented === '') throw invalidRequest("The request parameter 'refresh_token' is missing.")
    const rec = await ctx.tokens.findRefresh(presented)
    if (!rec) throw invalidGrant('The refresh token is malformed or not known.')
    if (!rec.active) {
      await ctx.storage.transaction((tx) => tx.tokens.revokeRequest(rec.requestId))
      throw invalidGrant(UNUSABLE)
    }
    if (rec.clientId !== client.client_id) {
      throw invalidGrant('The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.')
    }
    const now = ctx.now()
    if (rec.expiresAt !== null && rec.expiresAt.getTime() <= now.getTime()) {
      // A token used under a grace period keeps active with its expiry cut to the grace's end:
      // presenting it after that end is a reuse, so the family goes as for any other reuse.
      const reused = await ctx.storage.transaction(async (tx) => {
        if (!(await tx.tokens.refreshUsed(rec.signature))) return false
        await tx.tokens.revokeRequest(rec.requestId)
        return true
      })
      throw invalidGrant(reused ? UNUSABLE : 'The refresh token expired.')
    }
    // RFC 9449 §5: a public client's bound refresh token needs a proof by the same key.
    requireSameKey(rec.session.cnf?.jkt, req.dpopJkt, 'refresh token')

    // RFC 6749 §6: the scope may narrow what was granted, never widen it.
    for (const s of req.scope) {
      if (!ctx.scopes(rec.grantedScope, s)) {
        throw invalidScope(`The requested scope '${s}' was not originally granted by the resource owner.`)
      }
    }
    const accessScope = req.scope.length > 0 ? req.scope : rec.grantedScope
    // As fosite: a scope the client has since lost is not granted again.
    const clientScope = splitScope(client.scope)
    for (const s of accessScope) {
      if (!ctx.scopes(clientScope, s)) throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
    }

    const { lifespans } = req
    const grace = graceFor(ctx, rec.expiresAt, now)
    const requestedScope = req.scope.length > 0 ? req.scope : rec.requestedScope
    const storedForm = { grant_type: 'refresh_token', ...(req.form.scope !== undefined ? { scope: req.form.scope } : {}) }
    // oauth2.refresh_token_hook then oauth2.token_hook, before the token is consumed.
    const hooked = await ctx.tokenHook.run({
      grantType: 'refresh_token',
      client,
      subject: rec.subject,
      requestedScope,
      grantedScope: accessScope,
      requestedAudience: rec.requestedAudience,
      grantedAudience: rec.grantedAudience,
      form: storedForm,
      accessTokenClaims: rec.session.ext,
      idTokenClaims: rec.session.oidc?.idTokenExtra ?? {},
      ...(rec.session.oidc ? { oidc: rec.session.oidc } : {}),
      ...(rec.challengeId !== null ? { challengeId: rec.challengeId } : {}),
    })
    const oidc = rec.session.oidc ? { ...rec.session.oidc, idTokenExtra: hooked.idTokenClaims } : undefined
    const response = await ctx.storage.transaction(async (tx) => {
      if (!(await tx.tokens.useRefresh(rec.signature, now, grace))) {
        // Lost a race for the same token, or a reuse beyond the grace rules: treat as a leak.
        await tx.tokens.revokeRequest(rec.requestId)
        return undefined
      }
      // Strict rotation (Hydra's strictRefreshRotation): the family's earlier access tokens go
      // with the consumed refresh token. Within a grace period a concurrent sibling keeps its own.
      if (!grace) await tx.tokens.revokeRequest(rec.requestId)
      return issueUserTokens(ctx.tokens.withStore(tx.tokens), {
        client,
        subject: rec.subject,
        requestId: rec.requestId,
        challengeId: rec.challengeId,
        requestedScope,
        accessScope,
        refreshScope: rec.grantedScope,
        requestedAudience: rec.requestedAudience,
        grantedAudience: rec.grantedAudience,
        form: storedForm,
        ext: hooked.accessTokenClaims,
        oidc,
        lifespans,
        issueRefresh: true,
      })
    })
    if (!response) throw invalidGrant(UNUSABLE)
    // OpenID Connect Core §12.2: same sub and aud, original auth_time, no nonce.
    return withIdToken(response, ctx.idTokens, {
      client,
      subject: rec.subject,
      scope: accessScope,
      oidc,
      lifespan: lifespans.idToken,
      now,
    })
  },
})
