// The seam between the domain and observability: the token endpoint hands each grant to an
// optional observer, which may time it, trace it and count the tokens it issued. The domain
// never imports a metrics or tracing library; it only knows this shape.

export interface GrantObserver {
  /**
   * Runs one grant of the given (supported) grant_type. Must call `run` exactly once and return
   * what it returns; a rejection is passed through unchanged.
   */
  grant<T>(grantType: string, run: () => Promise<T>): Promise<T>
}

/** Several observers as one; undefined when there is none, so the caller skips the wrapping. */
export function combineGrantObservers(list: ReadonlyArray<GrantObserver | undefined>): GrantObserver | undefined {
  const present = list.filter((o): o is GrantObserver => o !== undefined)
  if (present.length === 0) return undefined
  if (present.length === 1) return present[0]
  return {
    grant<T>(grantType: string, run: () => Promise<T>): Promise<T> {
      // The first observer is the outermost: its span or timer encloses the others.
      const step = (i: number): Promise<T> => (i === present.length ? run() : present[i]!.grant(grantType, () => step(i + 1)))
      return step(0)
    },
  }
}
