// The flow's cookies as plain data: the HTTP edge reads them (already checked against
// secrets.cookie) through a CookieReader and carries out the CookieInstructions the flow returns.

/** A cookie's value when present and authentic, else undefined. */
export type CookieReader = (name: string) => string | undefined

export interface CookieInstruction {
  name: string
  /** null clears the cookie. */
  value: string | null
  /** Seconds; undefined makes a cookie that ends with the browser session. */
  maxAge?: number
  path: string
  /** CSRF cookies also get Hydra's SameSite=None legacy twin when that workaround is on. */
  csrf: boolean
}

export interface FlowCookieNames {
  loginCsrf: string
  consentCsrf: string
  session: string
}

/** MurmurHash3 x86 32-bit, seed 0: what Hydra uses to give each client its own CSRF cookies. */
export function murmur3(data: Buffer): number {
  const c1 = 0xcc9e2d51
  const c2 = 0x1b873593
  const mix = (k: number): number => {
    const a = Math.imul(k, c1)
    return Math.imul((a << 15) | (a >>> 17), c2)
  }
  let h = 0
  const tail = data.length - (data.length % 4)
  for (let i = 0; i < tail; i += 4) {
    h ^= mix(data.readUInt32LE(i))
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let k = 0
  const rest = data.length % 4
  if (rest >= 3) k ^= (data[tail + 2] ?? 0) << 16
  if (rest >= 2) k ^= (data[tail + 1] ?? 0) << 8
  if (rest >= 1) {
    k ^= data[tail] ?? 0
    h ^= mix(k)
  }
  h ^= data.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Hydra's per-client cookie suffix: the decimal murmur3 of the client id. */
export const cookieSuffix = (clientId: string): string => String(murmur3(Buffer.from(clientId, 'utf8')))

export const loginCsrfCookie = (names: FlowCookieNames, clientId: string): string => `${names.loginCsrf}_${cookieSuffix(clientId)}`

export const consentCsrfCookie = (names: FlowCookieNames, clientId: string): string =>
  `${names.consentCsrf}_${cookieSuffix(clientId)}`
