// Challenges and verifiers: a random flow id with an HMAC (secrets.system) bound to what the value
// is for. A login challenge cannot stand in for a verifier, nor the other way round; a value that
// was altered, or made up without the secret, never reaches the database. The state behind the
// id lives in hydra_oauth2_flow, which is what makes each verifier single-use.
import { randomBytes } from 'node:crypto'
import type { HmacKeys } from '../crypto/hmac.js'

export type FlowPurpose =
  | 'login_challenge'
  | 'login_verifier'
  | 'consent_challenge'
  | 'consent_verifier'
  | 'logout_challenge'
  | 'logout_verifier'
  | 'device_challenge'
  | 'device_verifier'

// 128 random bits in hex, as Hydra's challenges were (a UUID without dashes).
const ID = /^[0-9a-f]{32}$/
// The id, a dot, and the 32-byte HMAC-SHA512/256 in unpadded base64url.
const ENCODED = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/

/** A fresh flow or consent challenge id; also good for CSRF values. */
export function newFlowId(): string {
  return randomBytes(16).toString('hex')
}

export class FlowCodec {
  constructor(private readonly hmac: HmacKeys) {}

  private static signed(purpose: FlowPurpose, id: string): Buffer {
    return Buffer.from(`orthrus.flow.${purpose}.${id}`, 'utf8')
  }

  encode(purpose: FlowPurpose, id: string): string {
    if (!ID.test(id)) throw new Error('flow ids are 32 lowercase hex characters')
    return `${id}.${this.hmac.sign(FlowCodec.signed(purpose, id)).toString('base64url')}`
  }

  /** The id inside a value made by encode() for the same purpose; undefined for anything else. */
  decode(purpose: FlowPurpose, value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined
    const m = ENCODED.exec(value)
    if (!m) return undefined
    const id = m[1] as string
    const mac = Buffer.from(m[2] as string, 'base64url')
    // Only the canonical encoding: no second spelling of the same bytes.
    if (mac.toString('base64url') !== m[2]) return undefined
    return this.hmac.verify(FlowCodec.signed(purpose, id), mac) ? id : undefined
  }
}
