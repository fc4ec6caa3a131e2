// OAuth 2.0 Token Exchange (RFC 8693): a confidential client trades a token it holds (an access
// or ID token from Orthrus, or a JWT from an issuer trusted through the jwt-bearer trust API) for
// a new token about the same subject, narrowed in scope, audience and lifetime, optionally
// recording an actor (`act`, §4.1) that acts for the subject.
import type { KeyRing } from '../../jwk/keyring.js'
import type { TrustedJwtVerifier } from '../../trust/model.js'
import { OAuthError, invalidRequest, invalidScope, serverError } from '../errors.js'
import { splitScope } from '../scopes.js'
import type { AccessTokenResponse, TokenFacts } from '../tokens/service.js'
import { actorOf, verifyPresented, type PresentedToken } from '../token-exchange/presented.js'
import {
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE_URI,
  actClaim,
  mayAct,
  presentedTokenType,
  requestedTokenType,
  type ActClaim,
} from '../token-exchange/types.js'
import { defineGrant, type GrantContext, type GrantRequest } from './grant.js'

export interface TokenExchangeOptions {
  /** The server's keys, to verify ID tokens presented as subject or actor tokens. */
  keys: Pick<KeyRing, 'verify'> | undefined
  /** urls.self.issuer */
  issuer: string
  /** Values a trusted JWT's `aud` may name besides the exchanging client (the token endpoint URLs, the issuer). */
  jwtAudiences: readonly string[]
  /** JWTs of trusted issuers, when the trust relationships are on. */
  trustedJwts: TrustedJwtVerifier | undefined
}

// RFC 8693 §2.2.2: the server will not issue a token for the indicated resource or audience.
const invalidTarget = (hint: string): OAuthError =>
  new OAuthError(
    'invalid_target',
    'The requested resource is invalid, missing, unknown, or malformed.',
    400,
    hint,
  )

// Parameters that carry tokens: never stored with the issued token nor passed to the token hook.
const TOKEN_PARAMS = new Set(['subject_token', 'actor_token'])

/** RFC 8707 §2: each resource is an absolute URI without a fragment. */
export function resourceIndicators(value: string | undefined): string[] {
  if (value === undefined) return []
  const out: string[] = []
  // token.ts joins a repeated parameter with spaces; a URI has none of its own.
  for (const r of value.split(' ').filter((s) => s !== '')) {
    let url: URL
    try {
      url = new URL(r)
    } catch {
      throw invalidTarget(`The resource '${r}' is not an absolute URI.`)
    }
    if (url.hash !== '' || r.includes('#')) throw invalidTarget(`The resource '${r}' must not contain a fragment.`)
    out.push(r)
  }
  return out
}

/**
 * The scope of the issued token: requested scopes must all be granted by the subject token and
 * allowed for the exchanging client; none requested means what both allow.
 */
export function exchangeScope(
  requested: readonly string[],
  subjectScope: readonly string[],
  clientScope: readonly string[],
  matcher: GrantContext['scopes'],
): string[] {
  for (const s of requested) {
    if (!matcher(subjectScope, s)) throw invalidScope(`The requested scope '${s}' is not granted by the subject_token.`)
    if (!matcher(clientScope, s)) throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
  }
  if (requested.length > 0) return [...requested]
  return subjectScope.filter((s) => matcher(clientScope, s))
}

function required(form: GrantRequest['form'], name: string): string {
  const value = form[name]
  if (value === undefined || value === '') throw invalidRequest(`The request parameter '${name}' is missing.`)
  return value
}

export const tokenExchange = defineGrant<TokenExchangeOptions>({
  type: TOKEN_EXCHANGE_GRANT,
  parameters: [
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'requested_token_type',
    'audience',
    'resource',
    'scope',
  ],
  // RFC 8693 §2.1 repeats `audience` (and RFC 8707 `resource`) for several values.
  repeatable: ['audience', 'resource'],
  // Exchanging tokens is a privilege of clients that can prove who they are.
  clientAuthentication: 'confidential',
  // Never a refresh token; an ID token when requested_token_type asks for one (as N_A).
  issues: { refreshToken: false, idToken: true },
  // Bounded by ttl.* and the presented tokens' remaining lifetime; no client override.
  lifespans: {},
  unitOfWork: 'single-write',
  dependencies: (s) => ({
    keys: s.keys,
    issuer: s.issuer,
    jwtAudiences: s.assertionAudiences,
    trustedJwts: s.trustedJwts,
  }),
  async handle(req, ctx, opts) {
    const { client, form } = req
    const subjectToken = required(form, 'subject_token')
    const subjectType = presentedTokenType('subject_token_type', form.subject_token_type)
    // §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT be sent without it.
    const actorToken = form.actor_token
    const hasActor = actorToken !== undefined && actorToken !== ''
    if (!hasActor && form.actor_token_type !== undefined) {
      throw invalidRequest("The request parameter 'actor_token_type' must not be sent without 'actor_token'.")
    }
    const actorType = hasActor ? presentedTokenType('actor_token_type', form.actor_token_type) : undefined
    const issuedType = requestedTokenType(form.requested_token_type)

    // Audience and resource name the targets (§2.1); both must be the client's own audiences.
    const requestedAudience = [...new Set([...req.audience, ...resourceIndicators(form.resource)])]
    for (const a of requestedAudience) {
      if (!client.audience.includes(a)) {
        throw invalidTarget(`Requested audience "${a}" has not been whitelisted by the OAuth 2.0 Client.`)
      }
    }

    const now = ctx.now()
    const deps = {
      tokens: ctx.tokens,
      keys: opts.keys,
      issuer: opts.issuer,
      trustedJwts: opts.trustedJwts,
      jwtAudiences: opts.jwtAudiences,
      now,
    }
    const subject = await verifyPresented('subject_token', subjectType, subjectToken, client, deps)
    let act: ActClaim | undefined = subject.act
    let actor: PresentedToken | undefined
    if (hasActor && actorType !== undefined) {
      actor = await verifyPresented('actor_token', actorType, actorToken, client, deps)
      const party = actorOf(actor)
      if (!mayAct(subject.mayAct, party, opts.issuer)) {
        throw invalidRequest("The actor_token does not identify a party the subject_token's 'may_act' claim allows.")
      }
      act = actClaim(party, subject.act)
    }

    const clientScope = splitScope(client.scope)
    const grantedScope = exchangeScope(req.scope, subject.scope, clientScope, ctx.scopes)
    if (issuedType === 'id_token' && !subject.scope.includes('openid')) {
      throw invalidRequest("An ID token can only be issued for a subject_token whose granted scope includes 'openid'.")
    }

    // Never outlive what was presented.
    const remaining = Math.min(
      subject.expiresAt.getTime() - now.getTime(),
      actor ? actor.expiresAt.getTime() - now.getTime() : Number.POSITIVE_INFINITY,
    )
    const configured = issuedType === 'id_token' ? ctx.config.ttl.id_token : ctx.config.ttl.access_token
    const lifespan = Math.max(0, Math.min(configured, remaining))

    const storedForm: Record<string, string> = {}
    for (const [name, value] of Object.entries(form)) if (!TOKEN_PARAMS.has(name)) storedForm[name] = value

    const facts: TokenFacts = {
      client,
      subject: subject.subject,
      requestedScope: req.scope,
      grantedScope,
      requestedAudience,
      grantedAudience: requestedAudience,
    }
    // The subject's session continues: its extra claims carry over (Orthrus access tokens).
    const claims = await ctx.tokenHook.run({
      grantType: TOKEN_EXCHANGE_GRANT,
      ...facts,
      form: storedForm,
      accessTokenClaims: issuedType === 'id_token' ? {} : subject.ext,
      idTokenClaims: issuedType === 'id_token' ? { ...(subject.oidc?.idTokenExtra ?? {}) } : {},
      ...(subject.oidc ? { oidc: subject.oidc } : {}),
      ...(subject.challengeId !== undefined ? { challengeId: subject.challengeId } : {}),
    })

    if (issuedType === 'id_token') {
      if (!ctx.idTokens) throw serverError('ID tokens need the server key ring, which is not configured.')
      const base = subject.oidc
      const idToken = await ctx.idTokens.issue({
        client,
        subject: subject.subject,
        session: {
          idTokenExtra: { ...claims.idTokenClaims, ...(act ? { act } : {}) },
          authTime: base?.authTime ?? 0,
          requestedAt: base?.requestedAt ?? 0,
          acr: base?.acr ?? '',
          amr: base?.amr ? [...base.amr] : [],
          sid: base?.sid ?? '',
          // A subject identifier the login app forced belongs to the client it was forced for.
          forcedSubjectIdentifier:
            base && (subject.type === 'id_token' || subject.clientId === client.client_id) ? base.forcedSubjectIdentifier : '',
        },
        lifespan,
        now,
      })
      const response: AccessTokenResponse = {
        access_token: idToken,
        issued_token_type: TOKEN_TYPE_URI.id_token,
        // §2.2.1: the issued token is not an access token.
        token_type: 'N_A',
        expires_in: Math.floor(lifespan / 1000),
        scope: grantedScope.join(' '),
      }
      return response
    }

    const response = await ctx.tokens.issueAccess({
      ...facts,
      lifespan,
      form: storedForm,
      ext: claims.accessTokenClaims,
      // Revoking the consent the subject token came from revokes what it was exchanged for.
      ...(subject.challengeId !== undefined ? { challengeId: subject.challengeId } : {}),
      // /userinfo answers for a token that carries openid, from the subject's session.
      ...(subject.oidc && grantedScope.includes('openid') ? { oidc: subject.oidc } : {}),
      ...(act ? { act } : {}),
      ...(issuedType === 'jwt' ? { format: 'jwt' as const } : {}),
    })
    return { ...response, issued_token_type: TOKEN_TYPE_URI[issuedType] }
  },
})
