// The user code of the Device Authorization Grant (RFC 8628 §6.1): how it is drawn, how a typed
// one is put into canonical form, and how it is shown. Orthrus' own default, and Hydra's
// oauth2.device_authorization.user_code presets (driver/config/provider.go userCodeEntropyPreset)
// or an operator's length and character set.
import { randomInt } from 'node:crypto'
import type { UserCodeConfig } from '../config/types.js'

// Hydra's presets over ory/x randx's alphabets.
const PRESETS: Readonly<Record<NonNullable<UserCodeConfig['entropy_preset']>, { length: number; alphabet: string }>> = {
  // randx.AlphaNumNoAmbiguous: case-sensitive, without 0Oo1IlB8S5Z2.
  high: { length: 8, alphabet: 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679' },
  medium: { length: 8, alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  low: { length: 9, alphabet: '0123456789' },
}

export class UserCodeFormat {
  private readonly fold: ((s: string) => string) | undefined
  private readonly stripDashes: boolean

  /** `grouped`: shown as two dash-separated halves (XXXX-XXXX), as Orthrus' default does. */
  constructor(
    readonly alphabet: string,
    readonly length: number,
    private readonly grouped = false,
  ) {
    // RFC 8628 §6.1: compare case-insensitively when the alphabet has one case only.
    const lower = /[a-z]/.test(alphabet)
    const upper = /[A-Z]/.test(alphabet)
    this.fold = lower && upper ? undefined : lower ? (s) => s.toLowerCase() : (s) => s.toUpperCase()
    // Dashes and white space are punctuation to ignore, unless the alphabet itself uses them.
    this.stripDashes = !alphabet.includes('-')
  }

  /** A fresh user code as shown to the person. */
  generate(): string {
    let code = ''
    for (let i = 0; i < this.length; i++) code += this.alphabet[randomInt(this.alphabet.length)]
    return this.display(code)
  }

  /** The canonical form of a typed user code; undefined when it cannot be one of ours. */
  normalize(input: unknown): string | undefined {
    if (typeof input !== 'string' || input.length > 4 * this.length + 16) return undefined
    let code = input.replace(this.stripDashes ? /[\s-]/g : /\s/g, '')
    if (this.fold) code = this.fold(code)
    if ([...code].length !== this.length) return undefined
    for (const ch of code) if (!this.alphabet.includes(ch)) return undefined
    return code
  }

  /** How a canonical code is shown (and passed to the verification page). */
  display(code: string): string {
    if (!this.grouped) return code
    const half = Math.ceil(code.length / 2)
    return `${code.slice(0, half)}-${code.slice(half)}`
  }
}

/**
 * Orthrus' default when no user_code key is set: consonants only (no vowels, so no words),
 * without the easily confused ones, case-insensitive. 20 letters, 8 of them: about 34.6 bits,
 * enough with the attempt limits.
 */
export const DEFAULT_USER_CODES = new UserCodeFormat('BCDFGHJKLMNPQRSTVWXZ', 8, true)

export function userCodeFormat(cfg: UserCodeConfig): UserCodeFormat {
  if (cfg.entropy_preset) {
    const p = PRESETS[cfg.entropy_preset]
    return new UserCodeFormat(p.alphabet, p.length)
  }
  if (cfg.length !== undefined && cfg.character_set !== undefined) {
    return new UserCodeFormat([...new Set(cfg.character_set)].join(''), cfg.length)
  }
  return DEFAULT_USER_CODES
}
