// CSRF protection for the demo app's forms, independent of Orthrus' own flow cookies: a random
// per-browser token in an HttpOnly cookie, and in each form an HMAC of that token bound to the
// challenge and the page. A cross-site form post cannot read the cookie, so it cannot forge the
// field; a field copied from another flow does not match this challenge.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const TOKEN = /^[A-Za-z0-9_-]{43}$/

export class FormGuard {
  // Dev only, so a per-process key is enough: a restart merely invalidates open forms.
  private readonly key = randomBytes(32)

  constructor(
    readonly cookieName: string,
    private readonly secure: boolean,
    private readonly path: string,
  ) {}

  /** The browser's token, reusing a well-formed cookie so several tabs keep working. */
  token(cookie: string | undefined): { token: string; setCookie?: string } {
    if (cookie !== undefined && TOKEN.test(cookie)) return { token: cookie }
    const token = randomBytes(32).toString('base64url')
    const attrs = [`${this.cookieName}=${token}`, `Path=${this.path}`, 'HttpOnly', 'SameSite=Strict']
    if (this.secure) attrs.push('Secure')
    return { token, setCookie: attrs.join('; ') }
  }

  field(token: string, page: string, challenge: string): string {
    return createHmac('sha256', this.key).update(`${page}\n${challenge}\n${token}`, 'utf8').digest('base64url')
  }

  check(cookie: string | undefined, field: string | undefined, page: string, challenge: string): boolean {
    if (cookie === undefined || field === undefined || !TOKEN.test(cookie)) return false
    const expected = Buffer.from(this.field(cookie, page, challenge), 'utf8')
    const given = Buffer.from(field, 'utf8')
    return expected.length === given.length && timingSafeEqual(expected, given)
  }
}
