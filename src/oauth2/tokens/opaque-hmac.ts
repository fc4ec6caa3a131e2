// Hydra's opaque token format: `ory_at_<key>.<signature>`, where key is 32 random bytes and
// signature the HMAC of those bytes under secrets.system, both base64url without padding.
// Only the signature is stored, so a database dump holds nothing that can be presented as a
// token (RFC 6819 §5.1.4.1.3: store hashes of tokens, not tokens).
import type { HmacKeys } from '../../crypto/hmac.js'
import { pooledRandomBytes } from '../../crypto/random.js'

export const ACCESS_TOKEN_PREFIX = 'ory_at_'
export const REFRESH_TOKEN_PREFIX = 'ory_rt_'
export const AUTHORIZE_CODE_PREFIX = 'ory_ac_'
export type OpaquePrefix = typeof ACCESS_TOKEN_PREFIX | typeof REFRESH_TOKEN_PREFIX | typeof AUTHORIZE_CODE_PREFIX

const PREFIXES: readonly string[] = [ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, AUTHORIZE_CODE_PREFIX]

// RFC 6749 §10.10 / RFC 6819 §5.1.4.2.2: at least 128 bits; fosite uses 256.
const KEY_BYTES = 32
// base64url of 32 bytes, unpadded: both the key and the HMAC-SHA512/256 signature.
const PART = /^[A-Za-z0-9_-]{43}$/

export interface OpaqueToken {
  /** What the client receives. Never stored, never logged. */
  token: string
  /** What the database keeps to find the token again. */
  signature: string
}

/** A part decodes to 32 bytes and is the canonical encoding of them (no malleable variants). */
function decodePart(part: string): Buffer | undefined {
  if (!PART.test(part)) return undefined
  const bytes = Buffer.from(part, 'base64url')
  return bytes.length === KEY_BYTES && bytes.toString('base64url') === part ? bytes : undefined
}

export class OpaqueTokens {
  constructor(private readonly hmac: HmacKeys) {}

  generate(prefix: OpaquePrefix): OpaqueToken {
    const key = pooledRandomBytes(KEY_BYTES)
    const signature = this.hmac.sign(key).toString('base64url')
    return { token: `${prefix}${key.toString('base64url')}.${signature}`, signature }
  }

  /**
   * The signature to look a presented token up by, or undefined when the value is not a token
   * of this kind signed with one of our secrets. Never throws: the value is untrusted input.
   * A token without any prefix is accepted, as fosite does for tokens minted before prefixes.
   */
  signatureOf(token: unknown, prefix: OpaquePrefix): string | undefined {
    if (typeof token !== 'string' || token.length > 200) return undefined
    let rest = token
    if (token.startsWith(prefix)) rest = token.slice(prefix.length)
    else if (PREFIXES.some((p) => token.startsWith(p))) return undefined
    const dot = rest.indexOf('.')
    if (dot < 0) return undefined
    const keyPart = rest.slice(0, dot)
    const signaturePart = rest.slice(dot + 1)
    const key = decodePart(keyPart)
    const signature = decodePart(signaturePart)
    if (!key || !signature) return undefined
    return this.hmac.verify(key, signature) ? signaturePart : undefined
  }
}

/** Which opaque kind a token claims to be by its prefix; undefined for unprefixed values. */
export function opaquePrefixOf(token: string): OpaquePrefix | undefined {
  return PREFIXES.find((p) => token.startsWith(p)) as OpaquePrefix | undefined
}
