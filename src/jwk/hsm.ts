// Key sets held in a PKCS#11 token (hsm.*), laid out as Hydra's hsm/manager_hsm.go does, so a
// token Hydra populated is found again: a key pair per key, CKA_LABEL = hsm.key_set_prefix + set
// and CKA_ID = kid on both halves; RS256 keys are RSA-4096, ES256 P-256, ES512 P-521. Private keys
// are generated in the token as sensitive and non-extractable, and every signature is made there.
// One addition: creating a key in a set that already has keys keeps the older ones (they still
// verify and are still published) and clears CKA_SIGN on their private halves, so exactly one key
// per set signs; Hydra deletes them instead.
import { createHash } from 'node:crypto'
import type { HsmConfig } from '../config/types.js'
import { HsmError, HsmToken, ckr, type Handle } from './hsm-token.js'
import type { Jwk, KeyUse } from './model.js'

export { HsmError } from './hsm-token.js'

/** Algorithms Hydra's HSM key manager generates (no HMAC, no EdDSA: PKCS#11 2.40 has no Ed25519). */
export const HSM_ALGS = ['RS256', 'ES256', 'ES512'] as const
export type HsmAlg = (typeof HSM_ALGS)[number]
export const isHsmAlg = (alg: string): alg is HsmAlg => (HSM_ALGS as readonly string[]).includes(alg)

const RSA_BITS = 4096

// DER of the named-curve OIDs (RFC 5480 §2.1.1.1) and each curve's coordinate size.
const CURVES = {
  ES256: { crv: 'P-256', oid: Buffer.from('06082a8648ce3d030107', 'hex'), size: 32, hash: 'sha256' },
  ES512: { crv: 'P-521', oid: Buffer.from('06052b81040023', 'hex'), size: 66, hash: 'sha512' },
} as const

/** A key of a set as the token holds it: the public half as a JWK, and whether it signs. */
export interface HsmKey {
  jwk: Jwk
  canSign: boolean
}

export class HsmKeys {
  private constructor(
    private readonly token: HsmToken,
    private readonly prefix: string,
  ) {}

  /** Opens the configured token; throws HsmError (one line) when it cannot be used. */
  static open(config: HsmConfig): HsmKeys {
    return new HsmKeys(HsmToken.open(config), config.key_set_prefix)
  }

  /** The keys of a set: the signing one first, then the others by kid. */
  list(set: string): HsmKey[] {
    const m = this.token.module
    const keys: HsmKey[] = []
    for (const priv of this.token.find([...this.byLabel(set), { type: m.CKA_CLASS, value: m.CKO_PRIVATE_KEY }])) {
      const a = this.token.attributes(priv, [m.CKA_ID, m.CKA_SIGN, m.CKA_DECRYPT])
      const kid = (a.get(m.CKA_ID) ?? Buffer.alloc(0)).toString('utf8')
      const pub = this.publicHalf(set, kid)
      if (!pub) continue
      const use: KeyUse = a.get(m.CKA_DECRYPT)?.[0] === 1 ? 'enc' : 'sig'
      keys.push({ jwk: { ...pub, kid, use }, canSign: use === 'sig' && a.get(m.CKA_SIGN)?.[0] === 1 })
    }
    return keys.sort((x, y) => Number(y.canSign) - Number(x.canSign) || x.jwk.kid.localeCompare(y.jwk.kid))
  }

  /** Generates a key pair in the token; it becomes the set's only signing key. */
  async generate(set: string, alg: HsmAlg, use: KeyUse, kid: string): Promise<Jwk> {
    const m = this.token.module
    const label = this.prefix + set
    if (this.find(set, m.CKO_PRIVATE_KEY, kid).length > 0) throw new HsmError(`the key "${kid}" exists already in the set "${set}"`)
    const common = [
      { type: m.CKA_TOKEN, value: true },
      { type: m.CKA_LABEL, value: label },
      { type: m.CKA_ID, value: Buffer.from(kid, 'utf8') },
    ]
    const sig = use === 'sig'
    const pub = [...common, { type: m.CKA_VERIFY, value: sig }, { type: m.CKA_ENCRYPT, value: !sig }]
    const priv = [
      ...common,
      { type: m.CKA_PRIVATE, value: true },
      { type: m.CKA_SENSITIVE, value: true },
      { type: m.CKA_EXTRACTABLE, value: false },
      { type: m.CKA_SIGN, value: sig },
      { type: m.CKA_DECRYPT, value: !sig },
    ]
    const mechanism =
      alg === 'RS256'
        ? { mechanism: m.CKM_RSA_PKCS_KEY_PAIR_GEN }
        : { mechanism: m.CKM_EC_KEY_PAIR_GEN }
    const pubTemplate =
      alg === 'RS256'
        ? [...pub, { type: m.CKA_MODULUS_BITS, value: RSA_BITS }, { type: m.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }]
        : [...pub, { type: m.CKA_EC_PARAMS, value: CURVES[alg].oid }]
    const previous = sig ? this.find(set, m.CKO_PRIVATE_KEY) : []
    await this.token.withSession((s) => this.token.pkcs11.C_GenerateKeyPairAsync(s, mechanism, pubTemplate, priv))
    // The new key signs from now on; the older ones only verify (PKCS#11: CKA_SIGN may be modified).
    for (const old of previous) this.token.pkcs11.C_SetAttributeValue(this.token.session, old, [{ type: m.CKA_SIGN, value: false }])
    const jwk = this.publicHalf(set, kid)
    if (!jwk) throw new HsmError(`the token did not keep the key "${kid}" it generated`)
    return { ...jwk, kid, use }
  }

  /** Deletes one key (both halves) or, without kid, the whole set; returns the keys deleted. */
  delete(set: string, kid?: string): number {
    const m = this.token.module
    const privates = this.find(set, m.CKO_PRIVATE_KEY, kid)
    for (const o of [...privates, ...this.find(set, m.CKO_PUBLIC_KEY, kid)]) this.token.pkcs11.C_DestroyObject(this.token.session, o)
    return privates.length
  }

  /** The JWS signature of `input` (RFC 7515 §5.1) made in the token with the key `kid`. */
  async sign(set: string, kid: string, alg: string, input: Buffer): Promise<Buffer> {
    const m = this.token.module
    const [key] = this.find(set, m.CKO_PRIVATE_KEY, kid)
    if (!key) throw new HsmError(`the key "${kid}" of the set "${set}" is no longer in the token`)
    return this.token.withSession(async (s) => {
      if (alg === 'RS256') {
        this.token.pkcs11.C_SignInit(s, { mechanism: m.CKM_SHA256_RSA_PKCS }, key)
        return this.token.pkcs11.C_SignAsync(s, input, Buffer.alloc(RSA_BITS / 8 + 128))
      }
      const curve = CURVES[alg as 'ES256' | 'ES512']
      if (!curve) throw new HsmError(`the token cannot sign ${alg}`)
      // CKM_ECDSA signs a digest and answers r || s, each the curve's size: JWS's own form (RFC 7518 §3.4).
      this.token.pkcs11.C_SignInit(s, { mechanism: m.CKM_ECDSA }, key)
      return this.token.pkcs11.C_SignAsync(s, createHash(curve.hash).update(input).digest(), Buffer.alloc(curve.size * 2))
    })
  }

  /** The PKCS#11 error name of a failure (CKR_...), for messages. */
  errorName(e: unknown): string | undefined {
    return ckr(this.token.module, e)
  }

  close(): void {
    this.token.close()
  }

  private byLabel(set: string) {
    return [{ type: this.token.module.CKA_LABEL, value: this.prefix + set }]
  }

  private find(set: string, cls: number, kid?: string): Handle[] {
    const m = this.token.module
    return this.token.find([
      ...this.byLabel(set),
      { type: m.CKA_CLASS, value: cls },
      ...(kid === undefined ? [] : [{ type: m.CKA_ID, value: Buffer.from(kid, 'utf8') }]),
    ])
  }

  /** The public half as a JWK without kid/use; undefined for a key type Hydra does not use. */
  private publicHalf(set: string, kid: string): Omit<Jwk, 'kid' | 'use'> | undefined {
    const m = this.token.module
    const [pub] = this.find(set, m.CKO_PUBLIC_KEY, kid)
    if (!pub) return undefined
    const type = this.token.attributes(pub, [m.CKA_KEY_TYPE]).get(m.CKA_KEY_TYPE)?.readUIntLE(0, 1)
    if (type === m.CKK_RSA) {
      const a = this.token.attributes(pub, [m.CKA_MODULUS, m.CKA_PUBLIC_EXPONENT])
      return { kty: 'RSA', alg: 'RS256', n: unsigned(a.get(m.CKA_MODULUS)), e: unsigned(a.get(m.CKA_PUBLIC_EXPONENT)) }
    }
    if (type === m.CKK_EC) {
      const a = this.token.attributes(pub, [m.CKA_EC_PARAMS, m.CKA_EC_POINT])
      const params = a.get(m.CKA_EC_PARAMS) ?? Buffer.alloc(0)
      const alg = (Object.keys(CURVES) as Array<keyof typeof CURVES>).find((k) => CURVES[k].oid.equals(params))
      if (!alg) return undefined
      const { crv, size } = CURVES[alg]
      const point = uncompressedPoint(a.get(m.CKA_EC_POINT) ?? Buffer.alloc(0), size)
      if (!point) return undefined
      return { kty: 'EC', alg, crv, x: point.subarray(1, 1 + size).toString('base64url'), y: point.subarray(1 + size).toString('base64url') }
    }
    return undefined
  }
}

/** base64url of a big-endian integer without leading zero bytes (RFC 7518 §6.3.1). */
function unsigned(b: Buffer | undefined): string {
  let i = 0
  while (b && i < b.length - 1 && b[i] === 0) i++
  return (b ?? Buffer.alloc(0)).subarray(i).toString('base64url')
}

// CKA_EC_POINT is the DER OCTET STRING of 04 || X || Y (PKCS#11 2.40 §2.3.3); some tokens omit the wrapper.
function uncompressedPoint(value: Buffer, size: number): Buffer | undefined {
  const length = 1 + 2 * size
  if (value.length === length && value[0] === 4) return value
  const point = value.subarray(value.length - length)
  return value[0] === 4 && point[0] === 4 ? point : undefined
}
