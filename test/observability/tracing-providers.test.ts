// Hydra's tracing providers and sampling keys, each against a local receiver: Zipkin's JSON v2
// collector, OTLP with an Authorization header and a deployment environment, sampling ratios (a
// caller's sampled traceparent is followed even at ratio 0), and Jaeger's remote sampling API.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JaegerRemoteSampler, samplingRateOf } from '../../src/observability/jaeger-remote-sampler.js'
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { SamplingDecision } from '@opentelemetry/sdk-trace-base'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { FakeServer } from '../support/fake-http.js'
import { basic, createCcClient, tokenRequest } from './helpers.js'
import { OtlpReceiver } from './otlp-receiver.js'

const db = testDatabases()[0]!
for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SERVICE_NAME', 'OTEL_SDK_DISABLED']) {
  delete process.env[name]
}

const sampledParent = (): string => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`

/** One client_credentials request per traceparent (undefined: a root request), then flushes the spans. */
async function traffic(env: TestApps, parents: Array<string | undefined>): Promise<void> {
  const cc = await createCcClient(env)
  for (const traceparent of parents) {
    const res = await tokenRequest(env, { grant_type: 'client_credentials' }, basic(cc.client_id, cc.client_secret), traceparent ? { traceparent } : {})
    expect(res.statusCode, res.body).toBe(200)
  }
  await env.registry.observability?.shutdown()
}

interface ZipkinSpan {
  traceId: string
  name: string
  localEndpoint?: { serviceName?: string }
  tags?: Record<string, string>
}

describe('tracing.provider zipkin', () => {
  const zipkin = new FakeServer()
  let env: TestApps | undefined
  beforeAll(async () => {
    await zipkin.start()
    zipkin.reply = () => ({ status: 202 })
  })
  afterAll(async () => {
    await env?.close()
    await zipkin.stop()
  })

  it('POSTs Zipkin JSON v2 spans to server_url, sampled by sampling.sampling_ratio', async () => {
    env = await testApps(db, {
      TRACING_PROVIDER: 'zipkin',
      TRACING_SERVICE_NAME: 'orthrus-zipkin',
      TRACING_DEPLOYMENT_ENVIRONMENT: 'test-env',
      TRACING_PROVIDERS_ZIPKIN_SERVER_URL: `${zipkin.url}/api/v2/spans`,
      TRACING_PROVIDERS_ZIPKIN_SAMPLING_SAMPLING_RATIO: '1',
    })
    await traffic(env, [undefined])
    const posts = zipkin.requests.filter((r) => r.method === 'POST' && r.url === '/api/v2/spans')
    expect(posts.length).toBeGreaterThan(0)
    const spans = posts.flatMap((p) => JSON.parse(p.body) as ZipkinSpan[])
    const server = spans.find((s) => s.name === 'POST /oauth2/token')
    expect(server, JSON.stringify(spans.map((s) => s.name))).toBeDefined()
    expect(server?.localEndpoint?.serviceName).toBe('orthrus-zipkin')
    expect(server?.tags?.['deployment.environment.name']).toBe('test-env')
  })

  it("samples no root span at Hydra's zipkin default ratio 0, but follows a sampled caller", async () => {
    await env?.close()
    zipkin.requests.length = 0
    env = await testApps(db, { TRACING_PROVIDER: 'zipkin', TRACING_PROVIDERS_ZIPKIN_SERVER_URL: `${zipkin.url}/api/v2/spans` })
    const parent = sampledParent()
    await traffic(env, [undefined, undefined, parent])
    const spans = zipkin.requests.filter((r) => r.method === 'POST').flatMap((p) => JSON.parse(p.body) as ZipkinSpan[])
    expect(spans.length).toBeGreaterThan(0)
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([parent.split('-')[1]]))
  })
})

describe('tracing.provider otel: sampling, deployment environment and authorization header', () => {
  const receiver = new OtlpReceiver()
  let env: TestApps | undefined
  beforeAll(() => receiver.start())
  afterAll(async () => {
    await env?.close()
    await receiver.stop()
  })

  it('exports with the Authorization header and the deployment environment, and samples by ratio', async () => {
    env = await testApps(db, {
      TRACING_PROVIDER: 'otel',
      TRACING_DEPLOYMENT_ENVIRONMENT: 'staging',
      TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
      TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: 'Bearer collector-token',
      TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: '0',
    })
    const parent = sampledParent()
    await traffic(env, [undefined, undefined, parent])
    const posts = receiver.posts.filter((p) => p.path === '/v1/traces')
    expect(posts.length).toBeGreaterThan(0)
    for (const p of posts) expect(p.authorization).toBe('Bearer collector-token')
    const spans = receiver.spans()
    // Ratio 0: the two root requests left no trace, the sampled caller's did.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([parent.split('-')[1]]))
    expect(spans[0]?.resource.find((a) => a.key === 'deployment.environment.name')?.value.stringValue).toBe('staging')
  })

  it('maps tracing.provider jaeger onto OTLP with trace_id_ratio', async () => {
    await env?.close()
    receiver.posts.length = 0
    env = await testApps(db, {
      TRACING_PROVIDER: 'jaeger',
      TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
      TRACING_PROVIDERS_JAEGER_SAMPLING_TRACE_ID_RATIO: '1',
    })
    await traffic(env, [undefined])
    expect(receiver.spans().some((s) => s.name === 'POST /oauth2/token')).toBe(true)
  })
})

describe("Jaeger's remote sampling (tracing.providers.jaeger.sampling.server_url)", () => {
  const sampling = new FakeServer()
  beforeAll(() => sampling.start())
  afterAll(() => sampling.stop())

  const decide = (s: JaegerRemoteSampler) =>
    s.shouldSample(ROOT_CONTEXT, randomBytes(16).toString('hex'), 'x', SpanKind.SERVER, {}, []).decision

  it('asks the server for the service and applies its probabilistic rate', async () => {
    sampling.reply = () => ({ status: 200, body: { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0 } } })
    const sampler = new JaegerRemoteSampler(`${sampling.url}/sampling`, 'orthrus test', 1)
    try {
      await sampler.latest
      expect(sampling.requests[0]?.url).toBe('/sampling?service=orthrus+test')
      expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD)
    } finally {
      sampler.stop()
    }
  })

  it('keeps the configured ratio when the server fails or names another strategy', async () => {
    const errors: string[] = []
    sampling.reply = () => ({ status: 500, body: {} })
    const sampler = new JaegerRemoteSampler(`${sampling.url}/sampling`, 'svc', 1, (m) => errors.push(m))
    try {
      await sampler.latest
      expect(decide(sampler)).toBe(SamplingDecision.RECORD_AND_SAMPLED)
      expect(errors).toEqual(['jaeger remote sampling: the server did not answer with the document'])
    } finally {
      sampler.stop()
    }
    expect(samplingRateOf({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 1 } })).toBeUndefined()
    expect(samplingRateOf({ operationSampling: { defaultSamplingProbability: 0.3 } })).toBe(0.3)
    expect(samplingRateOf({ strategyType: 0, probabilisticSampling: { samplingRate: 0.7 } })).toBe(0.7)
  })
})
