// Key generation with jose (Web Crypto): the private key is extractable only so it can be
// exported once as a JWK, sealed and stored.
import { exportJWK, generateKeyPair, generateSecret, type GenerateKeyPairOptions } from 'jose'
import type { GenerateAlg, Jwk, KeyUse } from './model.js'

// RS512 gets 4096 bits as Hydra's generator gives every RSA key; RS256 keeps the 2048-bit floor
// of RFC 7518 §3.3, which is cheaper to generate and to sign with.
const PAIR_OPTIONS: Readonly<Record<string, GenerateKeyPairOptions>> = {
  RS256: { modulusLength: 2048 },
  RS512: { modulusLength: 4096 },
  EdDSA: { crv: 'Ed25519' },
}

export async function generateJwk(alg: GenerateAlg, use: KeyUse, kid: string): Promise<Jwk> {
  if (alg === 'HS256' || alg === 'HS512') {
    const secret = await generateSecret(alg, { extractable: true })
    return { ...(await exportJWK(secret)), kty: 'oct', kid, alg, use }
  }
  const { privateKey } = await generateKeyPair(alg, { ...PAIR_OPTIONS[alg], extractable: true })
  const jwk = await exportJWK(privateKey)
  if (typeof jwk.kty !== 'string') throw new Error(`jose exported a ${alg} key without "kty"`)
  return { ...jwk, kty: jwk.kty, kid, alg, use }
}
