// The demo app's only way into Orthrus: the admin API over HTTP, exactly as an external login &
// consent app would use it (Hydra's /admin/oauth2/auth/requests/* endpoints).

export type FlowKind = 'login' | 'consent' | 'logout' | 'device'

/** What the demo pages need from Hydra's oAuth2LoginRequest / oAuth2ConsentRequest. */
export interface FlowRequest {
  skip: boolean
  subject: string
  clientName: string
  requestedScope: string[]
  requestedAudience: string[]
}

/** The request, or where to send the browser when it was already handled (Hydra's 410). */
export type Fetched = { kind: 'request'; request: FlowRequest } | { kind: 'handled'; redirectTo: string }

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'AdminApiError'
  }
}

const TIMEOUT_MS = 10_000

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

export class AdminApi {
  /** `baseUrl` is asked on every call: the admin listener's address is known only once it listens. */
  constructor(private readonly baseUrl: () => string | undefined) {}

  async get(kind: FlowKind, challenge: string): Promise<Fetched> {
    const res = await this.call('GET', kind, '', challenge)
    if (res.status === 410 && typeof res.body['redirect_to'] === 'string') return { kind: 'handled', redirectTo: res.body['redirect_to'] }
    const client = isRecord(res.body['client']) ? res.body['client'] : {}
    return {
      kind: 'request',
      request: {
        skip: res.body['skip'] === true,
        subject: text(res.body['subject']),
        clientName: text(client['client_name']) || text(client['client_id']),
        requestedScope: strings(res.body['requested_scope']),
        requestedAudience: strings(res.body['requested_access_token_audience']),
      },
    }
  }

  /** Accepts or rejects; returns the `redirect_to` the browser must follow. */
  async answer(kind: FlowKind, verdict: 'accept' | 'reject', challenge: string, body: Record<string, unknown>): Promise<string> {
    const res = await this.call('PUT', kind, `/${verdict}`, challenge, body)
    const to = res.body['redirect_to']
    if (typeof to !== 'string') throw new AdminApiError(502, 'the admin API answered without redirect_to')
    return to
  }

  /** PUT .../logout/reject answers 204 with no body: the app itself decides where the browser goes. */
  async rejectLogout(challenge: string): Promise<void> {
    await this.call('PUT', 'logout', '/reject', challenge, {})
  }

  private async call(method: 'GET' | 'PUT', kind: FlowKind, suffix: string, challenge: string, body?: unknown) {
    const base = this.baseUrl()
    if (base === undefined) throw new AdminApiError(503, 'the admin API is not reachable yet')
    const url = new URL(`admin/oauth2/auth/requests/${kind}${suffix}`, base.endsWith('/') ? base : `${base}/`)
    url.searchParams.set(`${kind}_challenge`, challenge)
    let res: Response
    try {
      res = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch {
      throw new AdminApiError(502, 'could not reach the admin API')
    }
    const parsed: unknown = await res.json().catch(() => undefined)
    const json = isRecord(parsed) ? parsed : {}
    if (res.ok || res.status === 410) return { status: res.status, body: json }
    // The admin API's error_description is written to be shown; the challenge is never echoed.
    const reason = text(json['error_description']) || text(json['error']) || `status ${res.status}`
    throw new AdminApiError(res.status, reason)
  }
}
