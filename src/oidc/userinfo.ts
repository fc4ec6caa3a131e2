// The UserInfo endpoint (OpenID Connect Core §5.3), answered as Hydra does: the claims of the ID
// token session behind an access token, as JSON, or as a JWT when the client registered
// userinfo_signed_response_alg (§5.3.2).
import { randomUUID } from 'node:crypto'
import type { Client } from '../client/model.js'
import type { ClientStore } from '../client/store.js'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { OAuthError, serverError } from '../oauth2/errors.js'
import type { OidcSession } from '../oauth2/tokens/oidc-session.js'
import type { TokenService } from '../oauth2/tokens/service.js'
import { DpopVerifier } from '../oauth2/dpop.js'
import type { HttpRequestFacts } from '../oauth2/token.js'
import { subjectFor } from './subject.js'

export interface UserinfoDeps {
  tokens: TokenService
  clients: Pick<ClientStore, 'get'>
  keys: KeyRing | undefined
  /** urls.self.issuer, exactly as configured. */
  issuer: string
  pairwiseSalt: string | undefined
  /** RFC 9449: checks proofs of DPoP-bound tokens; without it a bound token is refused. */
  dpop?: DpopVerifier
  /** This endpoint's URLs as configured, which a proof's htu may name besides the request's own. */
  userinfoUrls?: readonly string[]
  /** The `iat` of a signed answer. */
  now?: () => Date
}

/** How the token came: its Authorization scheme and the request (for a DPoP proof). */
export interface Presentation {
  scheme: 'Bearer' | 'DPoP'
  http: HttpRequestFacts
}

export type UserinfoResponse = { type: 'json'; claims: Record<string, unknown> } | { type: 'jwt'; token: string }

// RFC 6750 §3: the challenge tells the client why, so it can refresh or re-authorize.
const challenge = (error: string, description: string) => ({
  'www-authenticate': `Bearer error="${error}", error_description="${description}"`,
})

const INVALID_TOKEN = 'The access token provided is expired, revoked, malformed, or invalid for other reasons.'

export const invalidToken = (): OAuthError =>
  new OAuthError('invalid_token', INVALID_TOKEN, 401, undefined, undefined, challenge('invalid_token', INVALID_TOKEN))

const insufficientScope = (): OAuthError => {
  const description = "The access token was not granted the 'openid' scope."
  return new OAuthError('insufficient_scope', 'The request requires higher privileges than provided by the access token.', 403, description, undefined, challenge('insufficient_scope', description))
}

// Claims about the token rather than the user, which Hydra strips from the ID token session.
const DROPPED = new Set(['nonce', 'at_hash', 'c_hash', 'exp', 'sid', 'jti'])
const PROTECTED = new Set(['iss', 'sub', 'aud', 'iat', 'auth_time', 'rat', 'acr', 'amr', ...DROPPED])

// RFC 9449 §7.1: errors about DPoP tokens are challenges of the DPoP scheme, naming the algorithms.
function dpopError(error: string, description: string, algs: readonly string[], headers: Readonly<Record<string, string>> = {}): OAuthError {
  const quoted = description.replaceAll('"', "'")
  return new OAuthError(error, description, 401, undefined, undefined, {
    ...headers,
    'www-authenticate': `DPoP error="${error}", error_description="${quoted}", algs="${algs.join(' ')}"`,
  })
}

export class Userinfo {
  constructor(private readonly deps: UserinfoDeps) {}

  async answer(accessToken: string, presentation?: Presentation): Promise<UserinfoResponse> {
    const scheme = presentation?.scheme ?? 'Bearer'
    const algs = this.deps.dpop?.algorithms ?? []
    const refuse = (): OAuthError => (scheme === 'DPoP' ? dpopError('invalid_token', INVALID_TOKEN, algs) : invalidToken())
    if (accessToken === '') throw refuse()
    const found = await this.deps.tokens.find(accessToken, { hint: 'access', verifyJwt: true })
    if (!found || found.kind !== 'access' || !this.deps.tokens.isActive(found.record)) throw refuse()
    const r = found.record
    await this.checkBinding(accessToken, r.session.cnf?.jkt, scheme, presentation?.http, algs)
    // OpenID Connect Core §5.3: the token must have been issued for an OpenID request.
    if (!r.grantedScope.includes('openid')) throw insufficientScope()
    const client = await this.deps.clients.get(r.clientId)
    if (!client) throw invalidToken()
    const claims = this.claims(client, r.subject, r.requestedAt, r.session.oidc)
    if (client.userinfo_signed_response_alg === '' || client.userinfo_signed_response_alg === 'none') {
      return { type: 'json', claims }
    }
    if (!this.deps.keys) throw serverError('Signed userinfo responses need the server key ring.')
    const token = await this.deps.keys.sign(
      ID_TOKEN_SET,
      { ...claims, jti: randomUUID(), iat: Math.floor((this.deps.now?.() ?? new Date()).getTime() / 1000) },
      { typ: 'JWT' },
    )
    return { type: 'jwt', token }
  }

  /** RFC 9449 §7: a bound token needs the DPoP scheme and a proof by its key, with `ath`. */
  private async checkBinding(
    accessToken: string,
    bound: string | undefined,
    scheme: 'Bearer' | 'DPoP',
    http: HttpRequestFacts | undefined,
    algs: readonly string[],
  ): Promise<void> {
    if (bound === undefined && scheme === 'Bearer') return
    if (bound === undefined) throw dpopError('invalid_token', 'The access token is not DPoP-bound; present it with the Bearer scheme.', algs)
    if (scheme !== 'DPoP') {
      throw dpopError('invalid_token', 'The access token is DPoP-bound; present it with the DPoP scheme and a DPoP proof.', algs)
    }
    const verifier = this.deps.dpop
    if (!verifier || !http) throw dpopError('invalid_token', 'DPoP-bound access tokens are not accepted here.', algs)
    try {
      const proof = DpopVerifier.proofOf(http)
      if (proof === undefined) throw dpopError('invalid_dpop_proof', 'A DPoP proof is required with a DPoP-bound access token.', algs)
      const { jkt } = await verifier.verify(proof, {
        method: http.method,
        urls: [http.url, ...(this.deps.userinfoUrls ?? [])],
        accessToken,
        nonce: false,
      })
      if (jkt !== bound) throw dpopError('invalid_dpop_proof', 'The DPoP proof was signed by another key than the one the access token is bound to.', algs)
    } catch (e) {
      if (e instanceof OAuthError && e.status !== 401) throw dpopError(e.error, `${e.description}${e.hint ? ` ${e.hint}` : ''}`, algs, e.headers)
      throw e
    }
  }

  private claims(
    client: Client,
    subject: string,
    issuedAt: Date,
    oidc: OidcSession | undefined,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(oidc?.idTokenExtra ?? {})) if (!PROTECTED.has(name)) out[name] = value
    if (oidc && oidc.acr !== '') out.acr = oidc.acr
    if (oidc && oidc.amr.length > 0) out.amr = [...oidc.amr]
    out.aud = [client.client_id]
    if (oidc && oidc.authTime > 0) out.auth_time = oidc.authTime
    out.iat = Math.floor(issuedAt.getTime() / 1000)
    out.iss = this.deps.issuer
    if (oidc && oidc.requestedAt > 0) out.rat = oidc.requestedAt
    // The same subject identifier as in the client's ID tokens (§5.3.2: sub MUST match).
    out.sub = subjectFor(client, subject, oidc?.forcedSubjectIdentifier ?? '', this.deps.pairwiseSalt)
    return out
  }
}
