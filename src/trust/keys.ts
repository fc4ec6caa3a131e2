// Which signature algorithms a trusted public key may verify (RFC 7518 §3, RFC 8037 §3.1):
// the key's own `alg` when it names one, otherwise every algorithm of its key type and curve.
import type { JWK } from 'jose'
import { ALG_KEY_TYPES } from '../jwk/model.js'

const ASYMMETRIC = Object.entries(ALG_KEY_TYPES).filter(([, t]) => t.kty !== 'oct')

export function algorithmsFor(jwk: JWK): string[] {
  const fits = (alg: string, t: { kty: string; crv?: string }) =>
    t.kty === jwk.kty && (t.crv === undefined || t.crv === jwk.crv) && (jwk.alg === undefined || jwk.alg === alg)
  return ASYMMETRIC.filter(([alg, t]) => fits(alg, t)).map(([alg]) => alg)
}
