// Shared by the observability tests: token requests in-process, and a reader of the Prometheus
// text exposition format.
import { expect } from 'vitest'
import type { TestApps } from '../support/app.js'
import { REDIRECT_URI } from '../support/flow.js'

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

export async function tokenRequest(env: TestApps, form: Record<string, string>, authorization?: string, headers: Record<string, string> = {}) {
  return env.public.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
      ...headers,
    },
    payload: new URLSearchParams(form).toString(),
  })
}

export async function createCcClient(env: TestApps, metadata: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret: string }> {
  const res = await env.admin.inject({
    method: 'POST',
    url: '/admin/clients',
    payload: { grant_types: ['client_credentials'], response_types: [], scope: 'read write', ...metadata },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { client_id: string; client_secret: string }
}

export async function exchangeCode(env: TestApps, client: { client_id: string; client_secret?: string }, code: string) {
  const res = await tokenRequest(
    env,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
    basic(client.client_id, client.client_secret ?? ''),
  )
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { access_token: string; refresh_token?: string; id_token?: string }
}

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Every sample line of a Prometheus text exposition. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    out.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return out
}

/** The value of the one sample with this name and (at least) these labels; undefined if none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value
}
