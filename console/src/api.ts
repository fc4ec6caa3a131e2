// The console's only way to the server: the admin API on its own origin. Errors keep the API's
// RFC 6749 shape ({error, error_description, error_hint, status_code}) so a page can show them
// as the API gave them, and name the form field a hint is about.
import { fieldOf } from './fields.js'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly hint?: string,
  ) {
    super(description || error)
    this.name = 'ApiError'
  }

  /** The client or request field the message is about ("Field redirect_uris ...", "Field 'jwk' ..."). */
  get field(): string | undefined {
    return fieldOf(this.hint ?? this.description)
  }
}

export interface Answer<T> {
  status: number
  data: T
  headers: Headers
}

type Body = { json: unknown } | { form: Record<string, string> } | undefined

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text()
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined)
    return new ApiError(res.status, str('error') ?? `HTTP ${res.status}`, str('error_description') ?? '', str('error_hint'))
  } catch {
    return new ApiError(res.status, `HTTP ${res.status}`, text.slice(0, 300) || res.statusText)
  }
}

export async function call<T>(method: string, path: string, body?: Body): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' }
  let payload: string | undefined
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body.json)
  } else if (body && 'form' in body) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    payload = new URLSearchParams(body.form).toString()
  }
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network_error', 'The admin API could not be reached. Is the server running?')
  }
  if (!res.ok) throw await failure(res)
  const text = await res.text()
  return { status: res.status, data: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers }
}

export const get = <T>(path: string) => call<T>('GET', path)
export const enc = encodeURIComponent

/** The page_token of the Link header's rel="next", if any. */
export function nextPageToken(headers: Headers): string | undefined {
  const link = headers.get('link') ?? ''
  for (const part of link.split(',')) {
    if (!/rel="next"/.test(part)) continue
    const url = /<([^>]+)>/.exec(part)?.[1]
    if (url) return new URL(url, location.origin).searchParams.get('page_token') ?? undefined
  }
  return undefined
}

export const totalCount = (headers: Headers): number | undefined => {
  const v = headers.get('x-total-count')
  return v === null ? undefined : Number(v)
}
