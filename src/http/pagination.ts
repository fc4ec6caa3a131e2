// Hydra's paged admin lists (clients, trust relationships): page_size and an opaque page_token in
// the query; a Link header with rel="first" and rel="next", and X-Total-Count.
import type { Page } from '../client/store.js'
import { invalidRequest } from '../oauth2/errors.js'

const DEFAULT_PAGE_SIZE = 250

/** A list's query string; a repeated parameter arrives as an array. */
export type ListQuery = Readonly<Record<string, string | string[] | undefined>>

/** A query parameter that may be given once at most. */
export function single(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw invalidRequest(`The query parameter "${name}" must be given at most once.`)
  return v
}

/** page_size: 250 when absent, at most `max`. */
export function pageSize(raw: string | undefined, max: number): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalidRequest(`page_size = "${raw}" must be a positive integer.`)
  return Math.min(Number(raw), max)
}

/**
 * The page asked for: page_size (at most `max`), the filter parameters named (each at most once),
 * then the keyset cursor inside page_token, checked in that order.
 */
export function pageParams<F extends string>(
  q: ListQuery,
  max: number,
  filterNames: readonly F[],
): { paging: { pageSize: number; after?: string }; filters: Record<F, string | undefined> } {
  const size = pageSize(single(q['page_size'], 'page_size'), max)
  const token = single(q['page_token'], 'page_token')
  const filters = {} as Record<F, string | undefined>
  for (const name of filterNames) filters[name] = single(q[name], name)
  return { paging: { pageSize: size, ...(token ? { after: decodePageToken(token) } : {}) }, filters }
}

// Page tokens are opaque to clients; inside they carry the keyset cursor.
export function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url')
}

export function decodePageToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown }
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after
  } catch {
    // fall through
  }
  throw invalidRequest('The page_token is invalid or has expired.')
}

/**
 * The headers of one page: Link repeats page_size and the non-empty `filters` (in order) for the
 * first page and, when more follow, for the page after `cursor(last item)`; X-Total-Count.
 */
export function pageHeaders<T>(opts: {
  /** The request URL; its path is what the links point at. */
  url: string
  fallbackPath: string
  size: number
  filters: Readonly<Record<string, string | undefined>>
  page: Page<T>
  cursor: (item: T) => string
}): { link: string; 'x-total-count': string } {
  const { page, size, filters } = opts
  const base = opts.url.split('?')[0] ?? opts.fallbackPath
  const link = (pageToken?: string) => {
    const params = new URLSearchParams({ page_size: String(size) })
    for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value)
    if (pageToken) params.set('page_token', pageToken)
    return `<${base}?${params.toString()}>`
  }
  const links = [`${link()}; rel="first"`]
  const last = page.items.at(-1)
  if (page.hasMore && last) links.push(`${link(encodePageToken(opts.cursor(last)))}; rel="next"`)
  return { link: links.join(','), 'x-total-count': String(page.total) }
}
