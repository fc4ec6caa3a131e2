// Issuing an authorization code at the end of the login and consent flow (RFC 6749 §4.1.2).
import type { AuthorizeRequest } from './authorize.js'
import type { AuthorizeCodeSession, AuthorizeCodeStore } from './code-store.js'
import { AUTHORIZE_CODE_PREFIX, type OpaqueTokens } from './tokens/opaque-hmac.js'

export interface CodeGrant {
  request: AuthorizeRequest
  subject: string
  requestedAt: Date
  grantedScope: string[]
  grantedAudience: string[]
  /** The consent challenge id: the code's request id and challenge id, as in Hydra. */
  consentChallengeId: string
  session: AuthorizeCodeSession
}

export interface IssuedCode {
  /** `ory_ac_<43>.<43>`: goes to the client, never stored or logged. */
  code: string
  /** The authorization response parameters besides `state` and `iss`. */
  params: { code: string; scope: string }
}

/** Stores a new single-use code valid for `lifespanMs` and returns it. */
export async function issueAuthorizeCode(
  g: CodeGrant,
  deps: { codes: AuthorizeCodeStore; opaque: OpaqueTokens; lifespanMs: number; now: Date },
): Promise<IssuedCode> {
  const { token, signature } = deps.opaque.generate(AUTHORIZE_CODE_PREFIX)
  const r = g.request
  await deps.codes.create({
    signature,
    requestId: g.consentChallengeId,
    requestedAt: g.requestedAt,
    clientId: r.clientId,
    requestedScope: [...r.scope],
    grantedScope: [...g.grantedScope],
    requestedAudience: [...r.audience],
    grantedAudience: [...g.grantedAudience],
    // RFC 6749 §4.1.3: the token request must repeat redirect_uri if the authorization request had it.
    form: {
      ...(r.redirectUriParam === '' ? {} : { redirect_uri: r.redirectUriParam }),
      // RFC 9449 §10: the token request must prove this key.
      ...(r.dpopJkt !== undefined ? { dpop_jkt: r.dpopJkt } : {}),
    },
    session: g.session,
    subject: g.subject,
    active: true,
    challengeId: g.consentChallengeId,
    expiresAt: new Date(deps.now.getTime() + deps.lifespanMs),
    pkce: r.codeChallengeMethod === '' ? undefined : { challenge: r.codeChallenge, method: r.codeChallengeMethod },
  })
  // fosite always sends `scope`, the granted scopes (RFC 6749 §3.3 allows it to be omitted).
  return { code: token, params: { code: token, scope: g.grantedScope.join(' ') } }
}
