// Property-based fuzzing of both listeners (fast-check): every routed operation (public OAuth 2.0
// and OpenID Connect endpoints, the admin JSON API) gets random and malformed forms, multipart
// bodies, JSON (wrong types, arrays for strings, __proto__ / constructor keys, deep nesting, bad
// syntax), query strings and path parameters (bad percent-encoding, invalid UTF-8, huge lengths,
// repeated parameters) and headers (content types, Basic / Bearer credentials, cookies).
//
// The invariants, checked on every answer:
//  - the status is 2xx, 3xx or 4xx: never a 5xx, never a crash;
//  - a JSON answer keeps the wire contract (test/support/contract.ts checks every injected answer)
//    and a 4xx in JSON has the error shape;
//  - a refused request (4xx) changes no row in any table.
//
// Bounded for CI: FUZZ_RUNS cases per route (default 25) within FUZZ_TIME_MS per route (default
// 600 ms); a longer run, e.g. `FUZZ_RUNS=2000 FUZZ_TIME_MS=60000 npx vitest run test/http/fuzz.test.ts`
// (docs/development.md). FUZZ_SEED replays a reported failure.
import { Writable } from 'node:stream'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routesOf, type ServedRoute } from '../../src/http/route-table.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { FLOW_ENV, REDIRECT_URI } from '../support/flow.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 25)
const TIME_MS = Number(process.env.FUZZ_TIME_MS ?? 600)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)

// Routes left out: the console's relay sends a real request to urls.self.public (its 502 when
// nothing listens there is documented), and the console's static files.
const SKIPPED = new Set(['POST /admin/orthrus/try/client-credentials', 'GET /console', 'GET /console/assets/:name'])

const sqlite = testDatabases()[0]!

// ----- what the fuzzer knows ------------------------------------------------------------------

interface Known {
  clientId: string
  secret: string
  publicClientId: string
  accessToken: string
}

const FIELD_NAMES = [
  'grant_type', 'client_id', 'client_secret', 'code', 'refresh_token', 'redirect_uri', 'scope', 'audience', 'code_verifier',
  'token', 'token_type_hint', 'response_type', 'state', 'nonce', 'prompt', 'max_age', 'id_token_hint', 'request', 'request_uri',
  'code_challenge', 'code_challenge_method', 'response_mode', 'claims', 'client_assertion', 'client_assertion_type', 'assertion',
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'device_code',
  'user_code', 'post_logout_redirect_uri', 'login_challenge', 'consent_challenge', 'logout_challenge', 'device_challenge',
  'page_size', 'page_token', 'client_name', 'owner', 'subject', 'sid', 'all', 'trigger_backchannel_logout', 'issuer', 'access_token',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'a[b]', 'scope[]',
]

const JSON_KEYS = [
  'client_id', 'client_secret', 'client_name', 'redirect_uris', 'grant_types', 'response_types', 'scope', 'audience', 'owner',
  'token_endpoint_auth_method', 'jwks', 'jwks_uri', 'sector_identifier_uri', 'subject_type', 'contacts', 'metadata',
  'allowed_cors_origins', 'post_logout_redirect_uris', 'frontchannel_logout_uri', 'backchannel_logout_uri', 'skip_consent',
  'access_token_strategy', 'authorization_code_grant_access_token_lifespan', 'client_credentials_grant_access_token_lifespan',
  'alg', 'use', 'kid', 'keys', 'kty', 'n', 'e', 'crv', 'x', 'y', 'd', 'subject', 'remember', 'remember_for', 'acr', 'amr', 'context',
  'extend_session_lifespan', 'force_subject_identifier', 'grant_scope', 'grant_access_token_audience', 'session', 'error',
  'error_description', 'error_hint', 'status_code', 'user_code', 'issuer', 'expires_at', 'jwk', 'allow_any_subject', 'op', 'path',
  'value', 'from', 'id_token', 'access_token', '__proto__', 'constructor', 'prototype',
]

const KNOWN_VALUES = (k: Known) => [
  k.clientId, k.secret, k.publicClientId, k.accessToken, REDIRECT_URI, 'client_credentials', 'authorization_code',
  'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:token-type:access_token',
  'urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'openid offline',
  'read', 'code', 'token', 'id_token', 'code id_token token', 'none', 'login consent', 'S256', 'plain', 'form_post', 'fragment',
  'ory_at_x.y', 'ory_rt_x.y', 'ory_ac_x.y', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJ.eyJ.sig', 'RS256', 'ES256', 'EdDSA', 'HS256',
  'sig', 'enc', 'hydra.openid.id-token', 'true', 'false', '0', '-1', '1e309', '99999999999999999999', 'null', '[]', '{}',
  'https://evil.example', 'javascript:alert(1)', 'http://127.0.0.1:1/x', '../../etc/passwd', '%00', '\u0000',
]

/** Text a header may carry (Node refuses CR, LF and NUL on the sending side). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 80 })

/** Every kind of string the edge could see. */
function anyText(k: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...KNOWN_VALUES(k)) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(5000), 'x'.repeat(70_000), '\uD800', '\uDFFF\uD800', '\u202E\uFEFF', '😀'.repeat(300)) },
  )
}

type Encoding = 'proper' | 'raw' | 'badPercent'

/** Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as a browser sends it). */
const pct = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')

/** One name=value pair of a form or query string, encoded well or badly. */
function pair(k: Known): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) })
  const enc = fc.constantFrom<Encoding>('proper', 'proper', 'proper', 'raw', 'badPercent')
  return fc.tuple(name, anyText(k), enc, fc.boolean()).map(([n, v, e, withValue]) => {
    if (e === 'raw') return withValue ? `${n}=${v}` : n
    const text = `${pct(n)}${withValue ? `=${pct(v)}` : ''}`
    return e === 'proper' ? text : `${text}${['%', '%G1', '%E0%A4', '%FF%FE', '%C0%AF', '%ED%A0%80'][v.length % 6]}`
  })
}

/** A form or query string: several pairs, repeated names included. */
const pairs = (k: Known) => fc.array(pair(k), { maxLength: 12 }).map((list) => list.join('&'))

/** A body as bytes: a form, multipart, JSON or junk. */
interface Body {
  contentType?: string
  payload?: string | Buffer
}

function formBody(k: Known): fc.Arbitrary<Body> {
  return pairs(k).map((payload) => ({ contentType: 'application/x-www-form-urlencoded', payload }))
}

function multipartBody(k: Known): fc.Arbitrary<Body> {
  const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW'
  const part = fc.tuple(fc.constantFrom(...FIELD_NAMES), anyText(k), fc.constantFrom('plain', 'file', 'badHeader', 'encoded', 'noName')).map(([n, v, kind]) => {
    const disposition =
      kind === 'file' ? `form-data; name="${n}"; filename="a.txt"` : kind === 'noName' ? 'form-data' : kind === 'badHeader' ? `form-data; name=${n}"` : `form-data; name="${n}"`
    const extra = kind === 'encoded' ? '\r\nContent-Transfer-Encoding: base64' : ''
    return `--${boundary}\r\nContent-Disposition: ${disposition}${extra}\r\n\r\n${v}\r\n`
  })
  return fc.tuple(fc.array(part, { maxLength: 6 }), fc.constantFrom('close', 'none', 'garbage'), fc.constantFrom('with', 'without', 'other')).map(([parts, end, b]) => ({
    contentType: b === 'with' ? `multipart/form-data; boundary=${boundary}` : b === 'without' ? 'multipart/form-data' : 'multipart/form-data; boundary=other',
    payload: `${parts.join('')}${end === 'close' ? `--${boundary}--\r\n` : end === 'garbage' ? '--\r\n--x' : ''}`,
  }))
}

function jsonValue(k: Known): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(anyText(k), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...JSON_KEYS), tie('tree'), { maxKeys: 5 })),
  }))
  return tree
}

function jsonBody(k: Known): fc.Arbitrary<Body> {
  const objectText = fc.dictionary(fc.constantFrom(...JSON_KEYS), jsonValue(k), { maxKeys: 8 }).map((o) => JSON.stringify(o))
  const raw = fc.constantFrom(
    '{"__proto__":{"polluted":true},"client_name":"x"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"redirect_uris":["https://a.example/cb"],"__proto__":{"grant_types":["client_credentials"]}}',
    '{', '{"a":', '[', 'null', '""', '0', 'true', '{"a":1}}', '\uFEFF{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"metadata":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
    JSON.stringify({ redirect_uris: Array.from({ length: 3000 }, (_, i) => `https://a.example/${i}`) }),
    '[{"op":"replace","path":"/client_secret","value":"x"}]',
    '[{"op":"add","path":"/__proto__/polluted","value":true}]',
    '[{"op":"replace","path":"/constructor/prototype/polluted","value":true}]',
    '[{"op":"remove","path":"/"}]',
    '[{"op":"move","from":"/redirect_uris","path":"/redirect_uris/0"}]',
  )
  const text = fc.oneof(objectText, jsonValue(k).map((v) => JSON.stringify(v) ?? 'null'), raw)
  const type = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json-patch+json', 'application/merge-patch+json')
  return fc.tuple(text, type).map(([payload, contentType]) => ({ contentType, payload }))
}

function junkBody(k: Known): fc.Arbitrary<Body> {
  const type = fc.oneof(
    fc.constantFrom(
      'text/plain', 'application/xml', '', ';;;', 'application/x-www-form-urlencoded; charset=latin1',
      'application/x-www-form-urlencoded, application/json', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/jsonx',
      'multipart/mixed; boundary=x', '*/*', 'application/octet-stream',
    ),
    headerText,
  )
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.constantFrom(Buffer.from([0xff, 0xfe, 0x3d, 0xc3, 0x28]), Buffer.from('token=\xff\xfe', 'latin1'), Buffer.from('grant_type=client_credentials&scope=%ff')),
    pairs(k),
    fc.constant('x'.repeat(1024 * 1024 + 10)),
  )
  return fc.tuple(fc.option(type, { nil: undefined }), payload).map(([contentType, p]) => ({ ...(contentType === undefined ? {} : { contentType }), payload: p }))
}

function anyBody(k: Known, route: ServedRoute): fc.Arbitrary<Body> {
  const fitting = route.body?.media === 'form' ? [formBody(k), formBody(k), multipartBody(k)] : route.body?.media === 'json' ? [jsonBody(k), jsonBody(k)] : []
  return fc.oneof(...fitting, formBody(k), jsonBody(k), junkBody(k), fc.constant<Body>({}))
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

function authorization(k: Known): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(basic(encodeURIComponent(k.clientId), encodeURIComponent(k.secret))),
    fc.tuple(anyText(k), anyText(k)).map(([a, b]) => basic(a, b)),
    fc.constant(`Bearer ${k.accessToken}`),
    headerText.map((t) => `Bearer ${t}`),
    headerText.map((t) => `Basic ${t}`),
    fc.constantFrom('Basic', 'Bearer', 'Basic ====', `Basic ${Buffer.from('%zz:%').toString('base64')}`, `Basic ${Buffer.from('no-colon').toString('base64')}`, 'DPoP x', 'bearer  ', `Basic ${'A'.repeat(9000)}`),
    headerText,
  )
}

function pathParam(k: Known, route: ServedRoute): fc.Arbitrary<string> {
  const known = route.method === 'GET' ? [k.clientId, k.publicClientId, 'hydra.openid.id-token', 'hydra.jwt.access-token'] : []
  return fc.oneof(
    fc.constantFrom('unknown', '..', '%2e%2e', '%2F', '%', '%zz', '%E0%A4', '%FF', 'a'.repeat(600), '%00', ...known),
    fc.string({ maxLength: 30 }).map(pct),
  )
}

interface Case {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

function requestFor(k: Known, route: ServedRoute): fc.Arbitrary<Case> {
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') })
  const params = route.path.match(/:[A-Za-z0-9_]+/g) ?? []
  const path = fc.tuple(...params.map(() => pathParam(k, route))).map((values) => values.reduce<string>((p, v, i) => p.replace(params[i] as string, v), route.path))
  const query = fc.option(pairs(k), { nil: undefined })
  const extraHeaders = fc.record(
    {
      cookie: headerText,
      origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'),
      'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage, ::1', ''),
      'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher'),
      accept: fc.constantFrom('application/json', 'text/html', '*/*'),
    },
    { requiredKeys: [] },
  )
  return fc.tuple(method, path, query, anyBody(k, route), authorization(k), extraHeaders).map(([m, p, q, body, auth, extra]) => {
    const headers: Record<string, string> = { ...extra }
    if (auth !== undefined) headers.authorization = auth
    if (body.contentType !== undefined) headers['content-type'] = body.contentType
    const bodyless = m === 'GET' || m === 'HEAD'
    return {
      method: m,
      url: q === undefined ? p : `${p}?${q}`,
      headers: bodyless ? Object.fromEntries(Object.entries(headers).filter(([h]) => h !== 'content-type')) : headers,
      ...(bodyless || body.payload === undefined ? {} : { payload: body.payload }),
    }
  })
}

// ----- the invariants ----------------------------------------------------------------------------

/** Every row of every table, as text: a refused request must leave it as it was. */
async function snapshot(env: TestApps, tables: readonly string[]): Promise<string> {
  const parts: string[] = []
  for (const table of tables) {
    const { rows } = await sql`select * from ${sql.table(table)}`.execute(env.registry.db.kysely)
    parts.push(`${table}:${rows.map((r) => JSON.stringify(r)).sort().join('\n')}`)
  }
  return parts.join('\n\n')
}

function describeCase(c: Case): string {
  const payload = c.payload === undefined ? '' : Buffer.isBuffer(c.payload) ? `<${c.payload.length} bytes>` : c.payload.slice(0, 300)
  return `${c.method} ${c.url.slice(0, 300)} ${JSON.stringify(c.headers).slice(0, 300)} ${payload}`
}

// Fastify's inject and the contract check (test/support/contract.ts) both run: a contract break
// throws out of inject and fails the property with the case that caused it.
async function check(env: TestApps, app: FastifyInstance, tables: readonly string[], c: Case): Promise<void> {
  const before = await snapshot(env, tables)
  const res = await app.inject({ method: c.method as 'GET', url: c.url, headers: c.headers, ...(c.payload === undefined ? {} : { payload: c.payload }) })
  expect(res.statusCode, `${describeCase(c)}\n-> ${res.statusCode} ${res.body.slice(0, 500)}`).toBeLessThan(500)
  expect(res.statusCode).toBeGreaterThanOrEqual(200)
  if (res.statusCode >= 400) {
    const type = String(res.headers['content-type'] ?? '')
    if (/json/.test(type) && c.method !== 'HEAD') {
      const body = res.json<Record<string, unknown>>()
      expect(typeof body.error, `${describeCase(c)}\n-> ${res.body.slice(0, 500)}`).toBe('string')
      expect(body.status_code).toBe(res.statusCode)
    }
    const after = await snapshot(env, tables)
    expect(after === before, `a ${res.statusCode} changed rows: ${describeCase(c)}\n-> ${res.body.slice(0, 300)}`).toBe(true)
  }
}

describe('fuzzing both listeners', () => {
  let env: TestApps
  let known: Known
  let tables: string[]
  const routes: Array<{ listener: 'public' | 'admin'; route: ServedRoute }> = []

  beforeAll(async () => {
    // The unexpected errors of a 5xx would be logged; the assertions report them instead.
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
    env = await testApps(sqlite, { ...FLOW_ENV, OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' }, { logTo: quiet })
    const cc = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_id: 'fuzz-machine', grant_types: ['client_credentials'], scope: 'read' } })
    expect(cc.statusCode).toBe(201)
    const pub = await env.admin.inject({
      method: 'POST',
      url: '/admin/clients',
      payload: { client_id: 'fuzz-browser', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline' },
    })
    expect(pub.statusCode).toBe(201)
    const token = await env.public.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('fuzz-machine', cc.json().client_secret) },
      payload: 'grant_type=client_credentials&scope=read',
    })
    expect(token.statusCode).toBe(200)
    known = { clientId: 'fuzz-machine', secret: cc.json().client_secret, publicClientId: 'fuzz-browser', accessToken: token.json().access_token }
    // Keys and documents made on first use exist before the fuzzing starts.
    for (const url of ['/.well-known/jwks.json', '/.well-known/openid-configuration']) await env.public.inject({ method: 'GET', url })
    tables = (await env.registry.db.kysely.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('orthrus_migration'))
    for (const [listener, app] of [['public', env.public], ['admin', env.admin]] as const) {
      for (const route of routesOf(app)) if (!route.alias && !SKIPPED.has(`${route.method} ${route.path}`)) routes.push({ listener, route })
    }
  })
  afterAll(async () => env.close())

  it('covers every routed operation but the skipped ones', () => {
    expect(routes.length).toBeGreaterThan(55)
  })

  // One property per route, so a failure names its route; the list is read from the route tables,
  // so routes added later are fuzzed too.
  it('answers every route with 2xx-4xx, the error shape, and no change on refusal', { timeout: 600_000 }, async () => {
    const failures: string[] = []
    for (const { listener, route } of routes) {
      const app = listener === 'public' ? env.public : env.admin
      try {
        await fc.assert(
          fc.asyncProperty(requestFor(known, route), (c) => check(env, app, tables, c)),
          { numRuns: RUNS, interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false, ...(SEED === undefined ? {} : { seed: SEED }) },
        )
      } catch (e) {
        failures.push(`${listener} ${route.method} ${route.path}: ${(e as Error).message}`)
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([])
  })
})
