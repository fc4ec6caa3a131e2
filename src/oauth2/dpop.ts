// OAuth 2.0 Demonstrating Proof of Possession (RFC 9449). A client proves it holds a private key
// by signing a short JWT (the proof) per HTTP request; tokens issued with a proof are bound to
// the key's thumbprint (`cnf.jkt`) and are useless without that key.
// - DpopVerifier checks a proof (§4.3): typ dpop+jwt, an asymmetric alg from
//   oauth2.dpop.signing_algorithms, a public `jwk` that verifies the signature, htm/htu of this
//   request, iat within oauth2.dpop.proof_lifespan, `ath` when an access token comes with it, the
//   server nonce when required, and a jti never seen before (remembered in the database, so every
//   instance agrees).
// - DpopNonces: stateless server nonces (§8): an HMAC of a time window under secrets.system.
// - DpopBinding: what the token endpoint does around every grant (TokenRequestBinding).
import { createHash, timingSafeEqual } from 'node:crypto'
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { isPublicClient, type Client } from '../client/model.js'
import type { HmacKeys } from '../crypto/hmac.js'
import { OAuthError } from './errors.js'
import type { GrantContext } from './grants/grant.js'
import { type HttpRequestFacts, type TokenRequest, type TokenRequestBinding } from './token.js'
import type { AccessTokenResponse } from './tokens/service.js'

export const DPOP_TYP = 'dpop+jwt'

/** Asymmetric JWS algorithms a proof may name; `none` and HMAC never (§4.2). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'] as const

/** RFC 9449 §4.3 / §7.1: the proof is missing, malformed or does not fit this request. */
export const invalidDpopProof = (hint: string): OAuthError =>
  new OAuthError('invalid_dpop_proof', 'The DPoP proof is invalid.', 400, hint)

/** RFC 9449 §8: the proof must carry the nonce given in the DPoP-Nonce header. */
export const useDpopNonce = (nonce: string, hint: string): OAuthError =>
  new OAuthError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.', 400, hint, undefined, { 'dpop-nonce': nonce })

/** The replay cache: true when this proof signature was not seen before (and is now remembered). */
export interface DpopReplayStore {
  claimDpopJti(signature: string, expiresAt: Date, now: Date): Promise<boolean>
}

// Members of a private or symmetric JWK (RFC 7518 §6): a proof carries a public key only.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const KEY_TYPES = new Set(['RSA', 'EC', 'OKP'])
const MAX_PROOF_LENGTH = 8192
const NONCE_WINDOW_MS = 5 * 60_000

/** base64url(sha256(access token)): the proof's `ath` (§4.2). */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url')

/** The URL a proof's htu is compared with: scheme, host and path; no query or fragment (§4.3 item 9). */
export function htuOf(url: string): string | undefined {
  try {
    const u = new URL(url)
    u.search = ''
    u.hash = ''
    return u.href
  } catch {
    return undefined
  }
}

/** Server nonces: valid for the current and the previous five-minute window, on every instance. */
export class DpopNonces {
  constructor(
    private readonly hmac: HmacKeys,
    private readonly now: () => Date,
  ) {}

  current(): string {
    return this.make(Math.floor(this.now().getTime() / NONCE_WINDOW_MS))
  }

  valid(nonce: string): boolean {
    const match = /^([0-9]{1,15})\.([A-Za-z0-9_-]{22})$/.exec(nonce)
    if (!match) return false
    const window = Number(match[1])
    const current = Math.floor(this.now().getTime() / NONCE_WINDOW_MS)
    if (window !== current && window !== current - 1) return false
    const expected = Buffer.from(this.make(window))
    const given = Buffer.from(nonce)
    return expected.length === given.length && timingSafeEqual(expected, given)
  }

  private make(window: number): string {
    const mac = this.hmac.sign(Buffer.from(`dpop-nonce:${window}`)).subarray(0, 16)
    return `${window}.${mac.toString('base64url')}`
  }
}

export interface DpopVerifierOptions {
  /** oauth2.dpop.signing_algorithms */
  algorithms: readonly string[]
  /** oauth2.dpop.proof_lifespan, ms: how far iat may lie from now, either way. */
  lifespanMs: number
  /** oauth2.dpop.require_nonce */
  requireNonce: boolean
  nonces: DpopNonces
  replay: DpopReplayStore
  now: () => Date
}

export interface ProofTarget {
  method: string
  /** URLs the request may have been addressed as (the request's own, the configured public one). */
  urls: readonly string[]
  /** The access token presented with the proof (resource requests): `ath` must match it. */
  accessToken?: string
  /** Whether a server nonce is required for this request. */
  nonce: boolean
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key. */
  jkt: string
}

export class DpopVerifier {
  constructor(readonly options: DpopVerifierOptions) {}

  get algorithms(): readonly string[] {
    return this.options.algorithms
  }

  /** The proof header of a request: exactly one, or undefined when absent. */
  static proofOf(http: Pick<HttpRequestFacts, 'headers'>): string | undefined {
    const raw = http.headers['dpop']
    if (raw === undefined) return undefined
    // §4.3 item 1: "there is not more than one DPoP HTTP request header field".
    if (typeof raw !== 'string') throw invalidDpopProof('More than one DPoP header was sent.')
    return raw
  }

  async verify(proof: string, target: ProofTarget): Promise<VerifiedProof> {
    const o = this.options
    if (proof.length === 0 || proof.length > MAX_PROOF_LENGTH) throw invalidDpopProof('The DPoP header is empty or too long.')
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(proof)
    } catch {
      throw invalidDpopProof('The DPoP proof is not a well-formed JWT.')
    }
    if (header.typ !== DPOP_TYP) throw invalidDpopProof(`The DPoP proof's typ must be '${DPOP_TYP}'.`)
    const alg = header.alg
    if (typeof alg !== 'string' || !o.algorithms.includes(alg)) {
      throw invalidDpopProof(`The DPoP proof's alg must be one of: ${o.algorithms.join(', ')}.`)
    }
    const jwk = header.jwk as Record<string, unknown> | undefined
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidDpopProof("The DPoP proof's header carries no jwk.")
    if (typeof jwk['kty'] !== 'string' || !KEY_TYPES.has(jwk['kty'])) throw invalidDpopProof("The DPoP proof's jwk is not an asymmetric public key.")
    if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) throw invalidDpopProof("The DPoP proof's jwk must not contain private key material.")
    let payload: Record<string, unknown>
    const now = o.now().getTime()
    try {
      const key = await importJWK(jwk as JWK, alg)
      ;({ payload } = await jwtVerify(proof, key, { typ: DPOP_TYP, algorithms: [alg], currentDate: new Date(now) }))
    } catch {
      throw invalidDpopProof("The DPoP proof's signature does not verify with its jwk, or its claims are malformed.")
    }
    const jti = payload['jti']
    if (typeof jti !== 'string' || jti === '' || jti.length > 512) throw invalidDpopProof("The DPoP proof's jti is missing.")
    if (payload['htm'] !== target.method) throw invalidDpopProof("The DPoP proof's htm does not match the request method.")
    const htu = typeof payload['htu'] === 'string' ? htuOf(payload['htu']) : undefined
    const urls = target.urls.map(htuOf)
    if (htu === undefined || !urls.includes(htu)) throw invalidDpopProof("The DPoP proof's htu does not match the request URL.")
    const iat = payload['iat']
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidDpopProof("The DPoP proof's iat is missing.")
    if (Math.abs(now - iat * 1000) > o.lifespanMs) throw invalidDpopProof("The DPoP proof's iat is too far from the server's time.")
    if (target.accessToken !== undefined) {
      if (payload['ath'] !== accessTokenHash(target.accessToken)) {
        throw invalidDpopProof("The DPoP proof's ath does not match the access token.")
      }
    }
    const nonce = payload['nonce']
    if (nonce !== undefined || (target.nonce && o.requireNonce)) {
      if (typeof nonce !== 'string' || !o.nonces.valid(nonce)) {
        throw useDpopNonce(o.nonces.current(), 'The DPoP proof must carry the nonce of the DPoP-Nonce header.')
      }
    }
    const jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256')
    // §11.1: a proof is used once. Remembered until no clock would accept it any more.
    const signature = createHash('sha256').update(`${jkt}:${jti}`, 'utf8').digest('hex')
    const expiresAt = new Date(Math.max(now, iat * 1000) + o.lifespanMs)
    if (!(await o.replay.claimDpopJti(signature, expiresAt, new Date(now)))) {
      throw invalidDpopProof("The DPoP proof's jti has been used before.")
    }
    return { jkt }
  }
}

export interface DpopBindingOptions {
  verifier: DpopVerifier
  /** The token endpoint's URLs as configured (urls.self.public and issuer), besides the request's own. */
  tokenEndpointUrls: readonly string[]
}

/** The token endpoint's side of DPoP, the same for every grant (TokenRequestBinding). */
export class DpopBinding implements TokenRequestBinding {
  constructor(private readonly opts: DpopBindingOptions) {}

  async prove(req: TokenRequest, client: Client): Promise<string | undefined> {
    const proof = DpopVerifier.proofOf(req)
    if (proof === undefined) {
      // §5.2: such a client's tokens are always bound.
      if (client.dpop_bound_access_tokens === true) throw invalidDpopProof('This client must send a DPoP proof with every token request.')
      return undefined
    }
    const { jkt } = await this.opts.verifier.verify(proof, {
      method: req.method,
      urls: [req.url, ...this.opts.tokenEndpointUrls],
      nonce: true,
    })
    return jkt
  }

  bind(ctx: GrantContext, jkt: string, client: Client): GrantContext {
    // §5: a public client's refresh token is bound too; a confidential client's is bound to its
    // client authentication already.
    return { ...ctx, tokens: ctx.tokens.boundTo(jkt, isPublicClient(client)) }
  }

  finish(response: AccessTokenResponse): AccessTokenResponse {
    return response
  }
}

/** Refuses a presented credential bound to a DPoP key unless this request proved that key. */
export function requireSameKey(boundTo: string | undefined, proved: string | undefined, what: string): void {
  if (boundTo === undefined || boundTo === '') return
  if (proved === undefined) throw invalidDpopProof(`The ${what} is bound to a DPoP key; a DPoP proof by that key is required.`)
  if (proved !== boundTo) throw invalidDpopProof(`The DPoP proof was signed by another key than the one the ${what} is bound to.`)
}
