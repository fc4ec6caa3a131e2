// OpenTelemetry tracing: off by default without loading OpenTelemetry at all; on, a token request
// arrives at an OTLP/HTTP receiver as one trace (HTTP server span, grant span, query spans) that
// continues the caller's W3C traceparent.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { decideTracing, tracingFromValues, tracingLoaded } from '../../src/observability/tracing-config.js'
import { testApps, testConfig, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, authorizePath, browse, createClient } from '../support/flow.js'
import { startServerProcess, type ServerProcess } from '../support/cli.js'
import { TEST_SECRET } from '../support/app.js'
import { basic, createCcClient, tokenRequest } from './helpers.js'
import { OtlpReceiver, attr, type ReceivedSpan } from './otlp-receiver.js'

const OTEL_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SERVICE_NAME', 'OTEL_SDK_DISABLED']
for (const name of OTEL_VARS) delete process.env[name]

// OpenTelemetry's SDK packages are CommonJS: once loaded, they are in the CommonJS module cache.
// The API package alone does not count: prom-client itself loads it (a no-op facade without an
// SDK, for exemplars); what tracing must not load when off is everything else.
const requireCache = createRequire(import.meta.url).cache
const openTelemetryLoaded = (): boolean =>
  Object.keys(requireCache).some((path) => /@opentelemetry[\\/]/.test(path) && !/@opentelemetry[\\/]api[\\/]/.test(path))

// Runs first: nothing in this process has turned tracing on yet.
describe('tracing off (the default)', () => {
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(testDatabases()[0]!)
  })
  afterAll(async () => {
    await env?.close()
  })

  it('serves requests without ever loading the tracing module or OpenTelemetry', async () => {
    const cc = await createCcClient(env)
    const res = await tokenRequest(env, { grant_type: 'client_credentials' }, basic(cc.client_id, cc.client_secret), {
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(env.registry.observability?.tracing).toBeUndefined()
    expect(tracingLoaded()).toBe(false)
    expect(openTelemetryLoaded()).toBe(false)
    expect(res.headers.traceparent).toBeUndefined()
  })
})

describe('tracing configuration', () => {
  const otlp = (url?: string, extra: Record<string, unknown> = {}) => ({ export: { kind: 'otlp', ...(url ? { url } : {}) }, samplingRatio: 1, ...extra })

  it('is on for tracing.provider otel, with Hydra host:port server_url', () => {
    expect(decideTracing({ provider: 'otel', providers: { otlp: { server_url: 'collector:4318', insecure: true } } }, {}).settings).toEqual({
      serviceName: 'orthrus',
      ...otlp('http://collector:4318/v1/traces'),
    })
    expect(decideTracing({ provider: 'otel', service_name: 'auth', providers: { otlp: { server_url: 'collector:4318' } } }, {}).settings).toEqual({
      serviceName: 'auth',
      ...otlp('https://collector:4318/v1/traces'),
    })
    // Without server_url the exporter follows OTEL_EXPORTER_OTLP_* itself.
    expect(decideTracing({ provider: 'otel' }, { OTEL_SERVICE_NAME: 'from-env' }).settings).toEqual({ serviceName: 'from-env', ...otlp() })
  })

  it('is on for the standard OTEL_* variables and off otherwise', () => {
    expect(decideTracing(undefined, {}).settings).toBeUndefined()
    expect(decideTracing(undefined, { OTEL_TRACES_EXPORTER: 'otlp' }).settings).toBeDefined()
    expect(decideTracing(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).settings).toBeDefined()
    expect(decideTracing(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }).settings).toBeUndefined()
    expect(decideTracing({ provider: 'otel' }, { OTEL_SDK_DISABLED: 'true' }).settings).toBeUndefined()
  })

  it("takes Hydra's sampling, deployment environment and authorization header", () => {
    const d = decideTracing(
      {
        provider: 'otel',
        deployment_environment: 'staging',
        providers: { otlp: { server_url: 'c:4318', insecure: true, authorization_header: 'Bearer t', sampling: { sampling_ratio: 0.25 } } },
      },
      {},
    )
    expect(d.settings).toEqual({
      serviceName: 'orthrus',
      deploymentEnvironment: 'staging',
      export: { kind: 'otlp', url: 'http://c:4318/v1/traces', headers: { authorization: 'Bearer t' } },
      samplingRatio: 0.25,
    })
  })

  it('sends zipkin to its collector, with ory/x defaults (localhost:9411, ratio 0: only sampled callers)', () => {
    expect(decideTracing({ provider: 'zipkin' }, {}).settings).toEqual({
      serviceName: 'orthrus',
      export: { kind: 'zipkin', url: 'http://localhost:9411/api/v2/spans' },
      samplingRatio: 0,
    })
    expect(
      decideTracing({ provider: 'zipkin', providers: { zipkin: { server_url: 'http://z:9411/api/v2/spans', sampling: { sampling_ratio: 1 } } } }, {}).settings,
    ).toMatchObject({ export: { kind: 'zipkin', url: 'http://z:9411/api/v2/spans' }, samplingRatio: 1 })
  })

  it("maps jaeger onto Jaeger's OTLP receiver, with its sampling keys, and says so", () => {
    const d = decideTracing({ provider: 'jaeger', providers: { jaeger: { local_agent_address: 'jaeger:6831', sampling: { trace_id_ratio: 0.5 } } } }, {})
    expect(d.settings).toEqual({ serviceName: 'orthrus', ...otlp('http://jaeger:4318/v1/traces', { samplingRatio: 0.5 }) })
    expect(d.notice).toMatch(/^tracing\.provider jaeger: spans go to Jaeger's OTLP\/HTTP receiver at http:\/\/jaeger:4318\/v1\/traces .*jaeger:6831/)
    // otlp.server_url wins; the remote sampling server is kept for the sampler.
    const viaOtlp = decideTracing(
      {
        provider: 'jaeger',
        providers: { otlp: { server_url: 'collector:4318', insecure: true }, jaeger: { sampling: { server_url: 'http://jaeger:5778/sampling' } } },
      },
      {},
    )
    expect(viaOtlp.settings).toEqual({
      serviceName: 'orthrus',
      ...otlp('http://collector:4318/v1/traces', { remoteSamplingUrl: 'http://jaeger:5778/sampling' }),
    })
  })

  it('accepts Hydra tracing keys from the environment and a config file', () => {
    const values = new Map<string, unknown>([
      ['tracing.provider', 'otel'],
      ['tracing.providers.otlp.server_url', '127.0.0.1:4318'],
      ['tracing.providers.otlp.insecure', true],
    ])
    const cfg = tracingFromValues(<T>(path: string) => values.get(path) as T | undefined)
    expect(decideTracing(cfg, {}).settings?.export).toEqual({ kind: 'otlp', url: 'http://127.0.0.1:4318/v1/traces' })
    expect(tracingFromValues(() => undefined)).toBeUndefined()
    expect(() => testConfig('memory', { TRACING_PROVIDER: 'otel', TRACING_PROVIDERS_OTLP_SERVER_URL: '127.0.0.1:4318' })).not.toThrow()
    expect(() => testConfig('memory', { TRACING_PROVIDER: 'nope' })).toThrow(/tracing\.provider/)
    expect(() => testConfig('memory', { TRACING_PROVIDERS_OTLP_SERVER_URL: 'not a host' })).toThrow(/tracing\.providers\.otlp\.server_url/)
    expect(() => testConfig('memory', { TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: 'half' })).toThrow(/sampling_ratio = "half" must be a number/)
    expect(testConfig('memory', { TRACING_PROVIDERS_ZIPKIN_SAMPLING_SAMPLING_RATIO: '0.5' }).tracing?.providers?.zipkin?.sampling?.sampling_ratio).toBe(0.5)
    // A Hydra config file: every key of the section loads.
    const dir = mkdtempSync(join(tmpdir(), 'orthrus-tracing-'))
    try {
      writeFileSync(
        join(dir, 'hydra.yaml'),
        [
          'dsn: memory',
          'tracing:',
          '  provider: otel',
          '  service_name: Orthrus',
          '  deployment_environment: production',
          '  providers:',
          '    otlp:',
          '      server_url: localhost:4318',
          '      insecure: true',
          '      authorization_header: Bearer abc',
          '      sampling:',
          '        sampling_ratio: 0.5',
          '    jaeger:',
          '      local_agent_address: 127.0.0.1:6831',
          '      sampling:',
          '        server_url: http://127.0.0.1:5778/sampling',
          '        trace_id_ratio: 0.1',
          '    zipkin:',
          '      server_url: http://127.0.0.1:9411/api/v2/spans',
          '      sampling:',
          '        sampling_ratio: 0.2',
        ].join('\n'),
      )
      const { warnings, config } = loadConfig({ file: 'hydra.yaml', cwd: dir, dev: true, env: { SECRETS_SYSTEM: TEST_SECRET } })
      expect(warnings.filter((w) => w.includes('tracing.'))).toEqual([])
      expect(decideTracing(config.tracing, {}).settings).toEqual({
        serviceName: 'Orthrus',
        deploymentEnvironment: 'production',
        export: { kind: 'otlp', url: 'http://localhost:4318/v1/traces', headers: { authorization: 'Bearer abc' } },
        samplingRatio: 0.5,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

for (const db of testDatabases()) {
  describe(`tracing on (${db.name})`, () => {
    const receiver = new OtlpReceiver()
    let env: TestApps
    let spans: ReceivedSpan[]
    const traceId = randomBytes(16).toString('hex')
    const parentSpanId = randomBytes(8).toString('hex')
    let secret: string
    let accessToken: string
    const introspectTraceId = randomBytes(16).toString('hex')

    beforeAll(async () => {
      await receiver.start()
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`
      process.env.OTEL_SERVICE_NAME = 'orthrus-test'
      try {
        env = await testApps(db, FLOW_ENV)
      } finally {
        delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        delete process.env.OTEL_SERVICE_NAME
      }
      expect(env.registry.observability?.tracing).toBeDefined()
      expect(tracingLoaded()).toBe(true)
      expect(openTelemetryLoaded()).toBe(true)
      const cc = await createCcClient(env)
      secret = cc.client_secret
      const res = await tokenRequest(env, { grant_type: 'client_credentials', scope: 'read' }, basic(cc.client_id, cc.client_secret), {
        traceparent: `00-${traceId}-${parentSpanId}-01`,
      })
      expect(res.statusCode, res.body).toBe(200)
      accessToken = (res.json() as { access_token: string }).access_token
      // Introspection runs a precompiled query (the statement cache), twice to reuse it.
      for (let i = 0; i < 2; i++) {
        const introspected = await env.admin.inject({
          method: 'POST',
          url: '/admin/oauth2/introspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded', traceparent: `00-${introspectTraceId}-${parentSpanId}-01` },
          payload: new URLSearchParams({ token: accessToken }).toString(),
        })
        expect((introspected.json() as { active: boolean }).active).toBe(true)
      }
      // A request whose query string carries a state, to be kept out of every span.
      const client = await createClient(env)
      const auth = await browse(env, new CookieJar(), authorizePath(client.client_id, { state: 'query-state-value-123' }))
      expect(auth.statusCode).toBe(302)
      await env.registry.observability?.shutdown()
      spans = receiver.spans()
    })
    afterAll(async () => {
      await env?.close()
      await receiver.stop()
    })

    it('exports OTLP/JSON to the receiver, under the configured service name', () => {
      expect(receiver.posts.some((p) => p.path === '/v1/traces' && p.contentType.startsWith('application/json'))).toBe(true)
      expect(spans.length).toBeGreaterThan(0)
      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['orthrus-test']))
    })

    it('continues the incoming traceparent with a server span, a grant span and query spans', () => {
      const trace = spans.filter((s) => s.traceId === traceId)
      const server = trace.find((s) => s.name === 'POST /oauth2/token')
      expect(server, JSON.stringify(trace.map((s) => s.name))).toBeDefined()
      expect(server?.parentSpanId).toBe(parentSpanId)
      expect(server?.kind).toBe(2) // SPAN_KIND_SERVER
      expect(attr(server!, 'http.route')).toBe('/oauth2/token')
      expect(attr(server!, 'http.request.method')).toBe('POST')
      expect(attr(server!, 'http.response.status_code')).toBe(200)

      const grant = trace.find((s) => s.name === 'oauth2.grant client_credentials')
      expect(grant?.parentSpanId).toBe(server?.spanId)
      expect(attr(grant!, 'oauth2.grant_type')).toBe('client_credentials')

      const queries = trace.filter((s) => attr(s, 'db.system.name') !== undefined)
      expect(queries.length, JSON.stringify(trace.map((s) => s.name))).toBeGreaterThan(0)
      const ids = new Set([server!.spanId, grant!.spanId])
      for (const q of queries) {
        expect(ids.has(q.parentSpanId ?? '')).toBe(true)
        expect(q.kind).toBe(3) // SPAN_KIND_CLIENT
        expect(['SELECT', 'INSERT', 'UPDATE', 'DELETE']).toContain(attr(q, 'db.operation.name'))
        expect(q.name).toBe(`${attr(q, 'db.operation.name')} ${attr(q, 'db.collection.name')}`)
      }
      expect(queries.some((q) => attr(q, 'db.collection.name') === 'hydra_client')).toBe(true)
      // The token row is written inside the grant (group-committed on SQLite).
      const insert = trace.find((s) => s.name === 'INSERT hydra_oauth2_access')
      expect(insert?.parentSpanId, JSON.stringify(trace.map((s) => s.name))).toBe(grant?.spanId)
    })

    it('traces precompiled queries too, each under its request', () => {
      const introspections = spans.filter((s) => s.traceId === introspectTraceId && s.name === 'POST /admin/oauth2/introspect')
      expect(introspections).toHaveLength(2)
      for (const server of introspections) {
        const lookups = spans.filter((s) => s.parentSpanId === server.spanId && s.name === 'SELECT hydra_oauth2_access')
        expect(lookups).toHaveLength(1)
      }
      expect(JSON.stringify(spans)).not.toContain(accessToken)
    })

    it('names request spans by route pattern and keeps query strings and secrets out', () => {
      const authorize = spans.find((s) => s.name === 'GET /oauth2/auth')
      expect(authorize).toBeDefined()
      expect(attr(authorize!, 'url.path')).toBe('/oauth2/auth')
      const everything = JSON.stringify(spans)
      expect(everything).not.toContain('query-state-value-123')
      expect(everything).not.toContain(secret)
      expect(everything).not.toContain('Basic ')
    })
  })
}

describe('tracing in the built server (serve all)', () => {
  const receiver = new OtlpReceiver()
  let server: ServerProcess | undefined
  const traceId = randomBytes(16).toString('hex')
  const parentSpanId = randomBytes(8).toString('hex')

  beforeAll(async () => {
    await receiver.start()
  })
  afterAll(async () => {
    await server?.stop('SIGKILL')
    await receiver.stop()
  })

  it('is configured by OTEL_* variables and flushes its spans on shutdown', async () => {
    // A database file: token rows go through the SQLite writer thread.
    const dir = mkdtempSync(join(tmpdir(), 'orthrus-tracing-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    server = await startServerProcess(['--dev'], {
      DSN: `sqlite://${join(dir, 'db.sqlite')}?_fk=true`,
      SECRETS_SYSTEM: TEST_SECRET,
      OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'orthrus-binary',
      // Longer than the test: only the flush at shutdown can deliver the spans.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    })
    const created = await fetch(`${server.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [], scope: 'read' }),
    })
    expect(created.status).toBe(201)
    const client = (await created.json()) as { client_id: string; client_secret: string }
    const res = await fetch(`${server.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(client.client_id, client.client_secret),
        traceparent: `00-${traceId}-${parentSpanId}-01`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }).toString(),
    })
    expect(res.status).toBe(200)
    expect(receiver.spans()).toEqual([])
    expect(await server.stop('SIGTERM')).toBe(0)
    server = undefined

    const trace = receiver.spans().filter((s) => s.traceId === traceId)
    const names = JSON.stringify(trace.map((s) => s.name))
    const http = trace.find((s) => s.name === 'POST /oauth2/token')
    expect(http?.parentSpanId, names).toBe(parentSpanId)
    expect(http?.serviceName).toBe('orthrus-binary')
    const grant = trace.find((s) => s.name === 'oauth2.grant client_credentials')
    expect(grant?.parentSpanId, names).toBe(http?.spanId)
    expect(trace.some((s) => s.name === 'SELECT hydra_client'), names).toBe(true)
    const insert = trace.find((s) => s.name === 'INSERT hydra_oauth2_access')
    expect(insert?.parentSpanId, names).toBe(grant?.spanId)
    expect(attr(insert!, 'orthrus.db.batched')).toBe(true)
  })
})
