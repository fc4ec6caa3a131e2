// JSON Web Keys as Orthrus stores and serves them (RFC 7517), and the algorithms it accepts.
import type { JWK } from 'jose'

export const KEY_USES = ['sig', 'enc'] as const
export type KeyUse = (typeof KEY_USES)[number]

/**
 * What `POST /admin/keys/{set}` and `orthrus create jwk` can generate: Hydra's CLI list plus the
 * HMAC algorithms its API documents.
 */
export const GENERATE_ALGS = ['RS256', 'RS512', 'ES256', 'ES512', 'EdDSA', 'HS256', 'HS512'] as const
export type GenerateAlg = (typeof GENERATE_ALGS)[number]

/** The key type and, for EC/OKP, the curve each algorithm needs (RFC 7518 §3, RFC 8037 §3.1). */
export const ALG_KEY_TYPES: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  HS256: { kty: 'oct' },
  HS384: { kty: 'oct' },
  HS512: { kty: 'oct' },
}

/** Algorithms a key imported by the admin may carry. */
export const IMPORT_ALGS: readonly string[] = Object.keys(ALG_KEY_TYPES)

export const isGenerateAlg = (alg: unknown): alg is GenerateAlg =>
  typeof alg === 'string' && (GENERATE_ALGS as readonly string[]).includes(alg)

/** Set ids and key ids live in varchar(255) columns. */
export const MAX_ID_LENGTH = 255

/** A key as stored: the full JWK (private members included) with the members Orthrus always sets. */
export interface Jwk extends JWK {
  kty: string
  kid: string
  alg: string
  use: KeyUse
}

/** Members that may appear in a published key (RFC 7517 §4, RFC 7518 §6.2.1, §6.3.1, RFC 8037 §2). */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
}
// key_ops is left out: a private key's ["sign"] would be wrong on the public half.
const COMMON_MEMBERS = ['kty', 'kid', 'alg', 'use', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const

/**
 * The public part of a key, built from an allow-list so no private member (d, p, q, dp, dq, qi,
 * oth, or anything unknown) can slip through. Symmetric keys have no public part: undefined.
 */
export function publicJwk(jwk: Jwk): JWK | undefined {
  const members = PUBLIC_MEMBERS[jwk.kty]
  if (!members) return undefined
  const source: Readonly<Record<string, unknown>> = { ...jwk }
  const out: Record<string, unknown> = {}
  for (const name of [...COMMON_MEMBERS, ...members]) {
    const value = source[name]
    if (value !== undefined) out[name] = value
  }
  return out as JWK
}

/** True when the key carries private material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
export const hasPrivatePart = (jwk: JWK): boolean => typeof jwk.d === 'string' || typeof jwk.k === 'string'
