// A KeyRing for unit tests: one ES256 key in memory, made with jose.
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose'
import type { KeyRing } from '../../src/jwk/keyring.js'

export interface TestKeyRing extends KeyRing {
  /** The public half, as /.well-known/jwks.json would publish it. */
  jwks: JSONWebKeySet
}

export async function testKeyRing(kid = 'test-key'): Promise<TestKeyRing> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  return {
    jwks: { keys: [jwk] },
    async sign(_set: string, claims: JWTPayload, header: { typ?: string } = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, ...header }).sign(privateKey)
    },
    async signingAlg() {
      return 'ES256'
    },
    async verify(_set: string, token: string) {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ['ES256'] })
      return { payload, kid }
    },
  }
}
