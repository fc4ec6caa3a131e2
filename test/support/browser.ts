// A minimal browser for flow tests: a cookie jar fed by Set-Cookie headers, and helpers to read
// redirects. Works with Fastify's inject and with fetch alike.

export class CookieJar {
  private readonly cookies = new Map<string, string>()

  /** Takes the Set-Cookie header(s) of a response; Max-Age=0 deletes. */
  store(setCookie: string | string[] | undefined | null): void {
    if (!setCookie) return
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair?.indexOf('=') ?? -1
      if (!pair || eq < 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value)
  }

  delete(name: string): void {
    this.cookies.delete(name)
  }

  names(): string[] {
    return [...this.cookies.keys()]
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
  }

  clone(): CookieJar {
    const copy = new CookieJar()
    for (const [n, v] of this.cookies) copy.set(n, v)
    return copy
  }
}

/** Path and query of an absolute URL, for inject. */
export const pathOf = (url: string): string => {
  const u = new URL(url)
  return `${u.pathname}${u.search}`
}

/** The query parameters of a redirect location. */
export const queryOf = (location: string): URLSearchParams => new URL(location).searchParams
