// ID tokens (OpenID Connect Core §2, §3.1.3.6), signed with the newest key of the
// `hydra.openid.id-token` set, whatever algorithm that key has.
import { createHash, randomUUID } from 'node:crypto'
import type { JWTPayload } from 'jose'
import { decodeProtectedHeader } from 'jose'
import type { Client } from '../../client/model.js'
import { ID_TOKEN_SET, type KeyRing } from '../../jwk/keyring.js'
import { subjectFor } from '../../oidc/subject.js'
import { serverError } from '../errors.js'
import type { OidcSession } from './oidc-session.js'

export interface IdTokenOptions {
  /** urls.self.issuer, exactly as configured (a relying party compares it byte for byte). */
  issuer: string
  /** oidc.subject_identifiers.pairwise.salt */
  pairwiseSalt: string | undefined
}

export interface IdTokenRequest {
  client: Pick<Client, 'client_id' | 'subject_type' | 'sector_identifier_uri' | 'redirect_uris'>
  /** The login subject; turned into the client's subject identifier here. */
  subject: string
  session: OidcSession
  /** The authorization request's nonce; left out when empty (and on refresh, §12.2). */
  nonce?: string
  /** The access token issued with this ID token, for `at_hash`. */
  accessToken?: string
  /** The authorization code returned with this ID token (hybrid flow), for `c_hash`. */
  code?: string
  /** Milliseconds. */
  lifespan: number
  now: Date
}

// Claims the server sets; consent `session.id_token` may add claims but never replace these.
const PROTECTED = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash', 'c_hash', 'sid', 'rat', 'azp',
])

/** The hash function OpenID Connect Core §3.1.3.6 pairs with a JWS algorithm. */
export function hashFor(alg: string): 'sha256' | 'sha384' | 'sha512' {
  // Ed25519 signs with SHA-512 internally (OpenID Connect Core errata; RFC 8037).
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'sha512'
  const bits = /(\d{3})$/.exec(alg)?.[1]
  if (bits === '384') return 'sha384'
  if (bits === '512') return 'sha512'
  if (bits === '256') return 'sha256'
  throw serverError(`No hash function is defined for the ID token algorithm '${alg}'.`)
}

/**
 * `at_hash` / `c_hash` (OpenID Connect Core §3.1.3.6, §3.3.2.11): the left half of the hash of
 * the ASCII value, base64url-encoded without padding.
 */
export function halfHash(value: string, alg: string): string {
  const digest = createHash(hashFor(alg)).update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

export class IdTokens {
  constructor(
    private readonly keys: KeyRing,
    private readonly opts: IdTokenOptions,
  ) {}

  /** The claims of an ID token to be signed with `alg` (the hash claims depend on it). */
  claims(r: IdTokenRequest, alg: string): JWTPayload {
    const s = r.session
    const iat = Math.floor(r.now.getTime() / 1000)
    const claims: JWTPayload = {}
    for (const [name, value] of Object.entries(s.idTokenExtra)) if (!PROTECTED.has(name)) claims[name] = value
    claims.iss = this.opts.issuer
    claims.sub = subjectFor(r.client, r.subject, s.forcedSubjectIdentifier, this.opts.pairwiseSalt)
    // Hydra: the ID token is for the client alone (§2: aud contains the client_id).
    claims.aud = [r.client.client_id]
    claims.exp = iat + Math.max(0, Math.floor(r.lifespan / 1000))
    claims.iat = iat
    claims.jti = randomUUID()
    if (s.authTime > 0) claims.auth_time = s.authTime
    if (s.requestedAt > 0) claims.rat = s.requestedAt
    if (r.nonce !== undefined && r.nonce !== '') claims.nonce = r.nonce
    if (s.acr !== '') claims.acr = s.acr
    if (s.amr.length > 0) claims.amr = [...s.amr]
    if (s.sid !== '') claims.sid = s.sid
    if (r.accessToken !== undefined) claims.at_hash = halfHash(r.accessToken, alg)
    if (r.code !== undefined) claims.c_hash = halfHash(r.code, alg)
    return claims
  }

  async issue(r: IdTokenRequest): Promise<string> {
    let alg = await this.keys.signingAlg(ID_TOKEN_SET)
    if (alg === undefined) throw serverError('The ID token key set has no signing key.')
    // The hash claims depend on the signing key's algorithm; if a rotation changed it between
    // looking and signing, sign once more with claims made for the new one.
    for (let attempt = 0; ; attempt++) {
      const token = await this.keys.sign(ID_TOKEN_SET, this.claims(r, alg), { typ: 'JWT' })
      const used = decodeProtectedHeader(token).alg
      if (used === alg || used === undefined || attempt > 0) return token
      alg = used
    }
  }
}
