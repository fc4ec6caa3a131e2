// Verifies JWTs from issuers trusted through /admin/trust/grants/jwt-bearer/issuers (RFC 7523
// §3, used by the jwt-bearer grant and by token exchange). Grant-agnostic: the caller names the
// acceptable audiences and decides what to issue from the TrustedAssertion.
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import type { Aead } from '../crypto/aead.js'
import { sha256Hex } from '../crypto/hmac.js'
import type { OAuthError } from '../oauth2/errors.js'
import { invalidGrant } from '../oauth2/errors.js'
import type { TokenStore } from '../oauth2/store.js'
import { algorithmsFor } from './keys.js'
import type { TrustedAssertion, TrustedJwtOptions, TrustedJwtVerifier, TrustRelationship } from './model.js'
import { openTrust } from './service.js'
import type { StoredTrust, TrustStore } from './store.js'

// 9999-12-31T23:59:59Z, the last instant MySQL's datetime can store (the jti is kept until exp).
const LATEST_EXP = 253_402_300_799

export interface TrustedJwtPolicy {
  /** oauth2.grant.jwt.jti_optional */
  jtiOptional: boolean
  /** oauth2.grant.jwt.iat_optional */
  iatOptional: boolean
  /** oauth2.grant.jwt.max_ttl in milliseconds: how far in the future `exp` may be. */
  maxTtlMs: number
}

export interface TrustVerifierDeps {
  store: Pick<TrustStore, 'findActive'>
  aead: Aead
  /** The used-jti list shared with client assertions (hydra_oauth2_jti_blacklist). */
  tokens: Pick<TokenStore, 'useJti'>
  policy: TrustedJwtPolicy
}

const fail = (hint: string): OAuthError => invalidGrant(hint)

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The jti record key: scoped by issuer, so two issuers may pick the same jti. */
export function jtiSignature(issuer: string, jti: string): string {
  return sha256Hex(`trusted-jwt\n${issuer}\n${jti}`)
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string')
  return []
}

export class TrustVerifier implements TrustedJwtVerifier {
  constructor(private readonly deps: TrustVerifierDeps) {}

  async verify(jwt: string, opts: TrustedJwtOptions): Promise<TrustedAssertion> {
    if (typeof jwt !== 'string' || jwt === '') throw fail('The assertion must be a JSON Web Token but is empty.')
    let header: ReturnType<typeof decodeProtectedHeader>
    let unverified: ReturnType<typeof decodeJwt>
    try {
      header = decodeProtectedHeader(jwt)
      unverified = decodeJwt(jwt)
    } catch {
      throw fail('The assertion is not a well-formed signed JSON Web Token.')
    }
    const { iss, sub } = unverified
    if (typeof iss !== 'string' || iss === '') throw fail("The assertion's JWT must contain an 'iss' (issuer) claim.")
    if (typeof sub !== 'string' || sub === '') throw fail("The assertion's JWT must contain a 'sub' (subject) claim.")
    if (typeof header.alg !== 'string' || header.alg === 'none' || header.alg.startsWith('HS')) {
      throw fail(`The assertion's JWT uses the algorithm '${String(header.alg)}'; it must be signed with the issuer's trusted public key.`)
    }
    const now = opts.now
    const candidates = await this.candidates(iss, sub, header.kid, now)
    const { relationship, payload } = await this.checkSignature(jwt, header.alg, candidates, iss)

    this.checkClaims(payload, relationship, opts)
    const exp = payload.exp as number
    if (typeof payload.jti === 'string' && payload.jti !== '') {
      // Only after the signature verified, so a forged assertion cannot burn an issuer's jtis.
      const fresh = await this.deps.tokens.useJti(jtiSignature(iss, payload.jti), new Date(exp * 1000), now)
      if (!fresh) throw fail("The assertion's 'jti' (JWT ID) was used before; an assertion may only be used once.")
    }
    return {
      trustId: relationship.id,
      issuer: iss,
      subject: sub,
      allowedScope: [...relationship.scope],
      claims: Object.freeze({ ...payload }),
      expiresAt: new Date(exp * 1000),
    }
  }

  /** Unexpired relationships of the issuer that allow the subject and (when named) hold the kid. */
  private async candidates(iss: string, sub: string, kid: string | undefined, now: Date): Promise<StoredTrust[]> {
    const allowed = await this.deps.store.findActive(iss, sub, now)
    if (allowed.length === 0) {
      const ofIssuer = await this.deps.store.findActive(iss, undefined, now)
      if (ofIssuer.length === 0) {
        throw fail(`No trust relationship for the issuer '${iss}' exists, or it has expired.`)
      }
      throw fail(`The issuer '${iss}' is not trusted to assert the subject '${sub}'.`)
    }
    const withKid = kid === undefined ? allowed : allowed.filter((t) => t.keyId === kid)
    if (withKid.length === 0) {
      throw fail(`None of the keys trusted for the issuer '${iss}' and subject '${sub}' has the key id '${kid ?? ''}'.`)
    }
    return withKid
  }

  private async checkSignature(
    jwt: string,
    alg: string,
    candidates: readonly StoredTrust[],
    iss: string,
  ): Promise<{ relationship: TrustRelationship; payload: Record<string, unknown> }> {
    let algMatched = false
    for (const stored of candidates) {
      const relationship = openTrust(this.deps.aead, stored)
      const jwk = relationship.publicKey as JWK
      if (!algorithmsFor(jwk).includes(alg)) continue
      algMatched = true
      try {
        const key = await importJWK({ ...jwk, alg }, alg)
        const { payload } = await compactVerify(jwt, key, { algorithms: [alg] })
        const parsed: unknown = JSON.parse(new TextDecoder().decode(payload))
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue
        return { relationship, payload: parsed as Record<string, unknown> }
      } catch {
        // Try the next trusted key; the failure is reported below when none verifies.
      }
    }
    if (!algMatched) {
      throw fail(`The assertion's algorithm '${alg}' does not match the key trusted for the issuer '${iss}'.`)
    }
    throw fail(`The assertion's signature does not verify with the key trusted for the issuer '${iss}'.`)
  }

  private checkClaims(payload: Record<string, unknown>, relationship: TrustRelationship, opts: TrustedJwtOptions): void {
    const { policy } = this.deps
    const nowSec = opts.now.getTime() / 1000
    // iss and sub were read before the signature was checked; the signed payload must agree.
    if (payload.iss !== relationship.issuer) throw fail("The assertion's 'iss' claim does not name the trusted issuer.")
    if (typeof payload.sub !== 'string' || (!relationship.allowAnySubject && payload.sub !== relationship.subject)) {
      throw fail("The assertion's 'sub' claim is not allowed by the trust relationship.")
    }

    if (opts.audiences !== undefined) {
      const aud = audiences(payload.aud)
      if (!aud.some((a) => opts.audiences?.includes(a))) {
        throw fail(`The assertion's 'aud' claim must contain the token endpoint '${opts.audiences[0] ?? ''}'.`)
      }
    }

    const { exp } = payload
    if (exp === undefined) throw fail("The assertion must contain an 'exp' (expiration time) claim.")
    if (!isNumericDate(exp)) throw fail("The assertion's 'exp' claim must be a number (seconds since the epoch).")
    if (exp <= nowSec) throw fail('The assertion has expired.')
    if ((exp - nowSec) * 1000 > policy.maxTtlMs || exp > LATEST_EXP) {
      throw fail(
        `The assertion's 'exp' claim is too far in the future: assertions may be valid for at most ${Math.floor(policy.maxTtlMs / 1000)} seconds (oauth2.grant.jwt.max_ttl).`,
      )
    }

    const { iat, nbf, jti } = payload
    if (iat === undefined) {
      if (!policy.iatOptional) throw fail("The assertion must contain an 'iat' (issued at) claim.")
    } else {
      if (!isNumericDate(iat)) throw fail("The assertion's 'iat' claim must be a number (seconds since the epoch).")
      if (iat > nowSec) throw fail("The assertion's 'iat' (issued at) claim is in the future.")
    }

    if (nbf !== undefined) {
      if (!isNumericDate(nbf)) throw fail("The assertion's 'nbf' claim must be a number (seconds since the epoch).")
      if (nbf > nowSec) throw fail("The assertion is not valid yet: its 'nbf' (not before) claim is in the future.")
    }

    if (jti === undefined || jti === '') {
      if (!policy.jtiOptional) throw fail("The assertion must contain a 'jti' (JWT ID) claim.")
    } else if (typeof jti !== 'string') {
      throw fail("The assertion's 'jti' claim must be a string.")
    }
  }
}
