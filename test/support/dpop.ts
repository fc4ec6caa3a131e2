// DPoP proofs (RFC 9449 §4.2) for tests: a client key pair and proofs made with it, well-formed
// or broken on purpose.
import { createHash, randomUUID } from 'node:crypto'
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'

export interface DpopKey {
  privateKey: CryptoKey
  publicJwk: JWK
  /** RFC 7638 thumbprint: what a bound token's cnf.jkt names. */
  jkt: string
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') }
}

export interface ProofOptions {
  htm?: string
  htu: string
  accessToken?: string
  iat?: number
  jti?: string
  nonce?: string
  alg?: string
  typ?: string
  /** Replaces the header's jwk (e.g. one with private members). */
  jwk?: JWK
}

export async function proof(key: DpopKey, o: ProofOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: o.htm ?? 'POST',
    htu: o.htu,
    iat: o.iat ?? Math.floor(Date.now() / 1000),
    jti: o.jti ?? randomUUID(),
  }
  if (o.accessToken !== undefined) payload.ath = createHash('sha256').update(o.accessToken).digest('base64url')
  if (o.nonce !== undefined) payload.nonce = o.nonce
  return new SignJWT(payload)
    .setProtectedHeader({ alg: o.alg ?? 'ES256', typ: o.typ ?? 'dpop+jwt', jwk: o.jwk ?? key.publicJwk })
    .sign(key.privateKey)
}

/** A compact JWS with the given header and payload and a signature of zeros (alg none / HS256 attempts). */
export function unsignedProof(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${enc(header)}.${enc(payload)}.${signature}`
}
