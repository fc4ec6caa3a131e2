// Hydra's verifiable credential endpoint (POST /credentials, OpenID for Verifiable Credential
// Issuance, draft 00 as Hydra 2.x implements it). A token response whose granted scopes include
// `openid` and `userinfo_credential_draft_00` carries a proof nonce; /credentials answers a
// request without a proof with a fresh nonce (400 missing_proof), and one with a `jwt` proof
// signed by the key in its own header and carrying a valid nonce with a `jwt_vc_json` credential
// about the token's subject, signed with the ID token key.
//
// Nonces are stateless, as in Hydra: the expiry sealed with secrets.system, the access token
// itself as associated data, so a nonce works only with the token it was made for, on any
// instance, until it expires.
import { randomUUID } from 'node:crypto'
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import type { ClientStore } from '../client/store.js'
import type { Aead } from '../crypto/aead.js'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { OAuthError, invalidRequest, serverError } from '../oauth2/errors.js'
import type { AccessTokenResponse, TokenService } from '../oauth2/tokens/service.js'
import { subjectFor } from './subject.js'
import { invalidToken } from './userinfo.js'

/** The scope that asks for a credential nonce in the token response (with `openid`). */
export const CREDENTIAL_SCOPE = 'userinfo_credential_draft_00'
export const CREDENTIAL_FORMAT = 'jwt_vc_json'
const CREDENTIAL_TYPES = ['VerifiableCredential', 'UserInfoCredential']
// Hydra's list (discovery's credentials_supported_draft_00): what a proof may be signed with.
const PROOF_ALGS = ['PS256', 'RS256', 'ES256', 'PS384', 'RS384', 'ES384', 'PS512', 'RS512', 'ES512', 'EdDSA']
const NONCE_PURPOSE_PREFIX = 'vc-nonce-at:'
// Hydra: a credential is valid for one hour from the token's issuance.
const CREDENTIAL_LIFETIME_S = 3600

/** Discovery's credentials_supported_draft_00. */
export const CREDENTIALS_SUPPORTED = [
  {
    format: CREDENTIAL_FORMAT,
    types: [...CREDENTIAL_TYPES],
    cryptographic_binding_methods_supported: ['jwk'],
    cryptographic_suites_supported: [...PROOF_ALGS],
  },
]

export interface VerifiableCredentialDeps {
  tokens: Pick<TokenService, 'find' | 'isActive'>
  clients: Pick<ClientStore, 'get'>
  keys: Pick<KeyRing, 'sign'> | undefined
  aead: Pick<Aead, 'seal' | 'open'>
  /** urls.self.issuer, exactly as configured. */
  issuer: string
  pairwiseSalt: string | undefined
  /** ttl.vc_nonce (ms). */
  nonceLifespanMs: number
  now?: () => Date
}

/**
 * The body of POST /credentials (Hydra's CreateVerifiableCredentialRequestBody) as the route
 * schema admits it: members of the documented types, or null, which Go decodes as absent.
 */
export interface CredentialRequest {
  format?: string | null
  types?: ReadonlyArray<string | null> | null
  proof?: { proof_type?: string | null; jwt?: string | null } | null
}

export type CredentialAnswer =
  | { status: 200; body: { format: string; credential_draft_00: string } }
  | {
      status: 400
      body: { error: string; error_description: string; status_code: number; format: string; c_nonce: string; c_nonce_expires_in: number }
    }

/** Whether the granted scopes make the token response carry a credential nonce. */
export const wantsCredentialNonce = (scope: readonly string[]): boolean => scope.includes('openid') && scope.includes(CREDENTIAL_SCOPE)

export class VerifiableCredentials {
  private readonly now: () => Date

  constructor(private readonly deps: VerifiableCredentialDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  private get lifespanS(): number {
    return Math.floor(this.deps.nonceLifespanMs / 1000)
  }

  /** A nonce bound to `accessToken`, valid for ttl.vc_nonce. */
  nonce(accessToken: string): string {
    const expires = Math.floor((this.now().getTime() + this.deps.nonceLifespanMs) / 1000)
    return this.deps.aead.seal(String(expires), `${NONCE_PURPOSE_PREFIX}${accessToken}`)
  }

  /** The token response with c_nonce_draft_00 when the granted scopes ask for it. */
  extendTokenResponse(response: AccessTokenResponse): AccessTokenResponse {
    if (!wantsCredentialNonce(response.scope.split(' ')) || response.access_token === '') return response
    return { ...response, c_nonce_draft_00: this.nonce(response.access_token), c_nonce_expires_in_draft_00: this.lifespanS }
  }

  private checkNonce(accessToken: string, nonce: string): void {
    let expires: number
    try {
      expires = Number(this.deps.aead.open(nonce, `${NONCE_PURPOSE_PREFIX}${accessToken}`).toString('utf8'))
    } catch {
      throw invalidRequest('The nonce is invalid.')
    }
    if (!Number.isFinite(expires) || expires < Math.floor(this.now().getTime() / 1000)) throw invalidRequest('The nonce has expired.')
  }

  /** `readBody` gives the decoded body, or throws its refusal: as in Hydra, the token is checked first. */
  async issue(accessToken: string, readBody: () => CredentialRequest): Promise<CredentialAnswer> {
    if (accessToken === '') throw invalidToken()
    const found = await this.deps.tokens.find(accessToken, { hint: 'access', verifyJwt: true })
    if (!found || !this.deps.tokens.isActive(found.record)) throw invalidToken()
    if (found.kind !== 'access') throw invalidRequest('The provided token is not an access token.')
    const body = readBody()
    if (body.format !== CREDENTIAL_FORMAT) throw invalidRequest(`The format ${JSON.stringify(body.format ?? '')} is not supported.`)
    if (body.proof === undefined || body.proof === null) {
      // The priming answer (draft 00 §7.3.2): the nonce the proof must carry.
      return {
        status: 400,
        body: {
          error: 'missing_proof',
          error_description: 'Could not issue a verifiable credential because the proof is missing in the request.',
          status_code: 400,
          format: 'jwt_vc',
          c_nonce: this.nonce(accessToken),
          c_nonce_expires_in: this.lifespanS,
        },
      }
    }
    const proof = body.proof
    if (proof.proof_type !== 'jwt') throw invalidRequest(`The proof type ${JSON.stringify(proof.proof_type ?? '')} is not supported.`)
    if (!proof.jwt || proof.jwt.split('.').length !== 3) throw invalidRequest('The JWT in the proof is malformed.')
    const holderKey = await this.verifyProof(accessToken, proof.jwt)

    const r = found.record
    const client = await this.deps.clients.get(r.clientId)
    if (!client) throw invalidToken()
    if (!this.deps.keys) throw serverError('Verifiable credentials need the server key ring.')
    const oidc = r.session.oidc
    // did:jwk (https://github.com/quartzjer/did-jwk): the holder's key is its identifier.
    const holder = `did:jwk:${Buffer.from(JSON.stringify(holderKey), 'utf8').toString('base64url')}`
    const subject: Record<string, unknown> = {
      id: holder,
      sub: subjectFor(client, r.subject, oidc?.forcedSubjectIdentifier ?? '', this.deps.pairwiseSalt),
    }
    for (const [name, value] of Object.entries(oidc?.idTokenExtra ?? {})) subject[name] = value
    const iat = Math.floor(r.requestedAt.getTime() / 1000)
    const credential = await this.deps.keys.sign(
      ID_TOKEN_SET,
      {
        iss: this.deps.issuer,
        jti: randomUUID(),
        iat,
        nbf: iat,
        exp: iat + CREDENTIAL_LIFETIME_S,
        sub: holder,
        vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], credentialSubject: subject, type: [...CREDENTIAL_TYPES] },
      },
      { typ: 'JWT' },
    )
    return { status: 200, body: { format: CREDENTIAL_FORMAT, credential_draft_00: credential } }
  }

  /** Verifies the proof with the public key in its own header; returns that key (public members). */
  private async verifyProof(accessToken: string, jwt: string): Promise<JWK> {
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(jwt)
    } catch {
      throw invalidRequest('The JWT header in the proof is malformed.')
    }
    const jwk = header.jwk
    if (typeof jwk !== 'object' || jwk === null || 'd' in jwk || typeof header.alg !== 'string' || !PROOF_ALGS.includes(header.alg)) {
      throw invalidRequest('The JWK in the JWT header is malformed.')
    }
    let payload: Record<string, unknown>
    try {
      const key = await importJWK(jwk, header.alg)
      payload = (await jwtVerify(jwt, key, { algorithms: [header.alg], currentDate: this.now() })).payload
    } catch (e) {
      if (e instanceof OAuthError) throw e
      throw invalidRequest('The JWT was not signed with the correct key supplied in the JWK header.')
    }
    if (typeof payload.nonce !== 'string') throw invalidRequest('The JWT did not contain the "nonce" claim.')
    this.checkNonce(accessToken, payload.nonce)
    return publicMembers(jwk)
  }
}

// The members that identify a public key (RFC 7517/7518/8037), nothing a client added.
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e']
function publicMembers(jwk: JWK): JWK {
  const given = jwk as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const name of PUBLIC_MEMBERS) if (given[name] !== undefined) out[name] = given[name]
  return out as JWK
}
