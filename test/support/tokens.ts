// Token endpoint and introspection calls for in-process HTTP tests.
import type { TestApps } from './app.js'
import type { TestClient } from './flow.js'

/** client_secret_basic credentials (RFC 6749 §2.3.1: form-encoded, then base64). */
export function basic(client: TestClient): Record<string, string> {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
  const pair = `${enc(client.client_id)}:${enc(client.client_secret ?? '')}`
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` }
}

export async function tokenCall(env: TestApps, form: Record<string, string>, headers: Record<string, string> = {}) {
  return env.public.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  })
}

export async function introspect(env: TestApps, token: string): Promise<Record<string, unknown> & { active: boolean }> {
  const res = await env.admin.inject({
    method: 'POST',
    url: '/admin/oauth2/introspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token }).toString(),
  })
  return res.json()
}
