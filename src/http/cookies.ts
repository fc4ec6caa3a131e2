// The flow's cookies on the wire: signed with secrets.cookie (the first signs, every one verifies),
// HttpOnly, SameSite and Secure as configured. The flow sees only verified values.
//
// Hand-written on purpose rather than @fastify/cookie: its signer MACs the value alone
// (`value.base64(HMAC-SHA256(secret, value))`, padding stripped), while these cookies MAC the
// cookie's name with the value (`value.base64url(HMAC-SHA256(secret, name + "\n" + value))`), so a
// signed value cannot be moved from one cookie to another (a login CSRF value replayed as the
// consent one). Switching would stop every cookie issued before the switch from verifying (flows
// in progress and remembered sessions would break at an upgrade) and would drop the name binding;
// its pluggable `{ sign, unsign }` signer is given only the value, so it cannot keep the binding
// either. What would remain for the plugin — splitting a Cookie header and writing Set-Cookie —
// is the forty lines below, whose exact attributes the tests pin, so the whole piece stays here.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/types.js'
import type { CookieInstruction, CookieReader } from '../flow/cookies.js'

type CookieConfig = Config['serve']['cookies']

// RFC 6265 §4.1.1 token characters for names; values are kept to a safe unquoted subset.
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const VALUE = /^[A-Za-z0-9\-._~]*$/

/** name=value pairs of a Cookie header; the first of a repeated name wins (RFC 6265 §5.4). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
    if (name !== '' && !out.has(name)) out.set(name, value)
  }
  return out
}

export class CookieSigner {
  private readonly keys: Buffer[]

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one cookie secret is required')
    this.keys = secrets.map((s) => Buffer.from(s, 'utf8'))
  }

  // The name is under the MAC: a value cannot be moved from one cookie to another.
  private mac(key: Buffer, name: string, value: string): Buffer {
    return createHmac('sha256', key).update(`${name}\n${value}`, 'utf8').digest()
  }

  sign(name: string, value: string): string {
    if (!VALUE.test(value)) throw new Error('cookie values are limited to [A-Za-z0-9-._~]')
    return `${value}.${this.mac(this.keys[0] as Buffer, name, value).toString('base64url')}`
  }

  /** The value inside a cookie this server signed for `name`, or undefined. */
  verify(name: string, signed: string | undefined): string | undefined {
    if (signed === undefined) return undefined
    const dot = signed.lastIndexOf('.')
    if (dot < 0) return undefined
    const value = signed.slice(0, dot)
    const given = Buffer.from(signed.slice(dot + 1), 'base64url')
    if (!VALUE.test(value)) return undefined
    let ok = false
    for (const key of this.keys) {
      const expected = this.mac(key, name, value)
      if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true
    }
    return ok ? value : undefined
  }
}

const legacyName = (name: string): string => `${name}_legacy`

/** Reads the request's cookies through the signer; CSRF cookies fall back to Hydra's legacy twin. */
export function cookieReader(request: FastifyRequest, signer: CookieSigner, config: CookieConfig): CookieReader {
  const jar = parseCookieHeader(request.headers.cookie)
  const legacy = config.same_site_mode === 'None' && config.same_site_legacy_workaround
  return (name) => {
    const value = signer.verify(name, jar.get(name))
    if (value !== undefined || !legacy) return value
    return signer.verify(legacyName(name), jar.get(legacyName(name)))
  }
}

function serialize(name: string, value: string, c: CookieInstruction, config: CookieConfig, sameSite: boolean, now: Date): string {
  if (!NAME.test(name)) throw new Error(`invalid cookie name ${JSON.stringify(name)}`)
  const parts = [`${name}=${value}`, `Path=${c.path}`]
  if (config.domain) parts.push(`Domain=${config.domain}`)
  if (c.value === null) parts.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT')
  else if (c.maxAge !== undefined) parts.push(`Max-Age=${c.maxAge}`, `Expires=${new Date(now.getTime() + c.maxAge * 1000).toUTCString()}`)
  parts.push('HttpOnly')
  if (config.secure) parts.push('Secure')
  if (sameSite) parts.push(`SameSite=${config.same_site_mode}`)
  return parts.join('; ')
}

/** Set-Cookie header values for the flow's instructions; a lifetime's Expires counts from `now`. */
export function setCookieHeaders(instructions: readonly CookieInstruction[], signer: CookieSigner, config: CookieConfig, now = new Date()): string[] {
  const out: string[] = []
  for (const c of instructions) {
    const value = c.value === null ? '' : signer.sign(c.name, c.value)
    out.push(serialize(c.name, value, c, config, true, now))
    // Hydra's workaround for browsers that reject SameSite=None: a twin cookie without SameSite.
    if (c.csrf && config.same_site_mode === 'None' && config.same_site_legacy_workaround) {
      const twin = legacyName(c.name)
      out.push(serialize(twin, c.value === null ? '' : signer.sign(twin, c.value), c, config, false, now))
    }
  }
  return out
}

export function applyCookies(reply: FastifyReply, instructions: readonly CookieInstruction[], signer: CookieSigner, config: CookieConfig, now?: Date): void {
  const headers = setCookieHeaders(instructions, signer, config, now)
  if (headers.length > 0) reply.header('set-cookie', headers)
}
