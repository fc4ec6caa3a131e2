// Where the CLI sends its requests, and the one HTTP helper every remote command goes through.
import { STATUS_CODES } from 'node:http'
import type { Command } from 'commander'
import { CliError } from './output.js'
import { send, TransportError, type RawResponse, type SendInit } from './transport.js'

export type EndpointKind = 'admin' | 'public'

const FALLBACK_ENV: Record<EndpointKind, string> = {
  admin: 'HYDRA_ADMIN_URL',
  public: 'HYDRA_PUBLIC_URL',
}

/** Adds `-e, --endpoint <url>` with help that names the environment fallbacks for this kind. */
export function addEndpointOption(cmd: Command, kind: EndpointKind): Command {
  return cmd.option(
    '-e, --endpoint <url>',
    `the ${kind} API URL (default: $ORY_SDK_URL, then $${FALLBACK_ENV[kind]})`,
  )
}

/**
 * `--endpoint`, else ORY_SDK_URL (what Hydra 2 reads), else HYDRA_ADMIN_URL / HYDRA_PUBLIC_URL.
 * Returns the URL without trailing slashes.
 */
export function resolveEndpoint(
  flag: string | undefined,
  kind: EndpointKind,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const raw = [flag, env['ORY_SDK_URL'], env[FALLBACK_ENV[kind]]]
    .map((v) => v?.trim())
    .find((v): v is string => v !== undefined && v !== '')
  if (raw === undefined) throw new CliError('no endpoint: pass --endpoint or set ORY_SDK_URL')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CliError(`invalid endpoint "${raw}": not an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`invalid endpoint "${displayEndpoint(raw)}": only http and https are supported`)
  }
  return raw.replace(/\/+$/, '')
}

/** Joins without doubling or dropping the slash, keeping any base path of the endpoint. */
export function joinUrl(endpoint: string, path: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}

/** The endpoint as it may appear in messages: credentials in the URL are never echoed. */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint)
    if (url.username === '' && url.password === '') return endpoint
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/+$/, '')
  } catch {
    return endpoint
  }
}

export interface ApiResponse {
  status: number
  headers: RawResponse['headers']
  /** Parsed JSON, or undefined for an empty body (e.g. 204). */
  body: unknown
}

/** JSON request against the admin (or public) API; non-2xx and network failures become CliErrors. */
export async function adminRequest(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return exchange(endpoint, path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
}

/**
 * A form POST (`application/x-www-form-urlencoded`), as the token, introspection and revocation
 * endpoints take them; `basic` adds client_secret_basic authentication.
 */
export async function formRequest(
  endpoint: string,
  path: string,
  form: Readonly<Record<string, string>>,
  basic?: { clientId: string; clientSecret: string },
): Promise<ApiResponse> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  }
  if (basic) headers['authorization'] = basicAuthorization(basic.clientId, basic.clientSecret)
  return exchange(endpoint, path, { method: 'POST', headers, body: new URLSearchParams(form).toString() })
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1)
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`
}

async function exchange(endpoint: string, path: string, init: SendInit): Promise<ApiResponse> {
  let res: RawResponse
  try {
    res = await send(joinUrl(endpoint, path), init)
  } catch (err) {
    if (!(err instanceof TransportError)) throw err
    const what = err.phase === 'connect' ? 'could not reach' : 'could not read the response from'
    throw new CliError(`${what} ${displayEndpoint(endpoint)}: ${oneLine(err.reason)}`)
  }
  const { text } = res
  if (res.status < 200 || res.status > 299) throw new CliError(describeFailure(res.status, res.statusText, text))
  if (text.trim() === '') return { status: res.status, headers: res.headers, body: undefined }
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown }
  } catch {
    throw new CliError(`${res.status} response from ${displayEndpoint(endpoint)} is not JSON`)
  }
}

function describeFailure(status: number, statusText: string, text: string): string {
  const fallback = `${status} ${statusText || STATUS_CODES[status] || 'error'}`
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return fallback
  }
  if (!isRecord(parsed)) return fallback
  const { error } = parsed
  if (typeof error === 'string' && error !== '') {
    const detail = firstString(parsed['error_description'], parsed['error_hint'])
    return oneLine(detail ? `${status} ${error}: ${detail}` : `${status} ${error}`)
  }
  // Some error writers nest the error as {error: {status, message, reason}}.
  if (isRecord(error)) {
    const name = firstString(error['status'], error['id']) ?? statusText
    const detail = firstString(error['message'], error['reason'])
    return oneLine(detail ? `${status} ${name}: ${detail}` : `${status} ${name}`)
  }
  return fallback
}

/** Narrows a response body to a JSON object, or fails with a clear message. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new CliError(`unexpected response: expected ${what} as a JSON object`)
  return value
}

/** Narrows a response body to a JSON array, or fails with a clear message. */
export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new CliError(`unexpected response: expected ${what} as a JSON array`)
  return value
}

/** The page_token of the rel="next" target of a `Link` header, if there is one. */
export function parseNextPageToken(link: string | null | undefined): string | undefined {
  if (!link) return undefined
  for (const match of link.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const [, target = '', params = ''] = match
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(params)
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)
    if (!rels.includes('next')) continue
    try {
      return new URL(target, 'http://relative.invalid/').searchParams.get('page_token') ?? undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.trim() !== '')
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
