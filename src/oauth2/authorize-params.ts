// The parameters of an authorization request, however they arrived (query string, form body,
// request object), kept as ordered lists so repeated parameters can be refused (RFC 6749 §3.1).

export class AuthorizeParams {
  private readonly values = new Map<string, string[]>()

  constructor(pairs: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of pairs) this.add(name, value)
  }

  /** From a parsed query or form object, where a repeated parameter is an array. */
  static fromRecord(record: Readonly<Record<string, string | readonly string[] | undefined>>): AuthorizeParams {
    const params = new AuthorizeParams()
    for (const [name, value] of Object.entries(record)) {
      if (value === undefined) continue
      for (const v of typeof value === 'string' ? [value] : value) params.add(name, v)
    }
    return params
  }

  add(name: string, value: string): void {
    const list = this.values.get(name)
    if (list) list.push(value)
    else this.values.set(name, [value])
  }

  /** Replaces every value of `name` (a request object's claim overrides the query). */
  set(name: string, value: string): void {
    this.values.set(name, [value])
  }

  /** The first value, or '' when absent: an empty parameter means the same as none. */
  get(name: string): string {
    return this.values.get(name)?.[0] ?? ''
  }

  all(name: string): string[] {
    return [...(this.values.get(name) ?? [])]
  }

  has(name: string): boolean {
    return this.values.has(name)
  }

  /** Names given more than once, except those in `allowed`. */
  repeated(allowed: ReadonlySet<string> = new Set()): string[] {
    return [...this.values].filter(([name, list]) => list.length > 1 && !allowed.has(name)).map(([name]) => name)
  }

  pairs(): Array<[string, string]> {
    return [...this.values].flatMap(([name, list]) => list.map((v): [string, string] => [name, v]))
  }

  /** application/x-www-form-urlencoded, in arrival order. */
  toQuery(): string {
    return new URLSearchParams(this.pairs()).toString()
  }
}

/** Space-delimited values (RFC 6749 §3.3 and OpenID Connect's lists), empty entries dropped. */
export function splitSpaces(value: string): string[] {
  return value.split(' ').filter((v) => v.length > 0)
}
