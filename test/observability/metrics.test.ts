// The Prometheus endpoint on the admin listener: request counts and latency by route pattern,
// tokens per grant type, flow counters, process metrics, and the pool gauges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Metrics } from '../../src/observability/metrics.js'
import { poolStatsOf } from '../../src/observability/index.js'
import type { Db } from '../../src/persistence/db.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, adminCall, createClient, fullFlow, startFlow } from '../support/flow.js'
import { basic, createCcClient, exchangeCode, parseExposition, sampleValue, tokenRequest, type Sample } from './helpers.js'

for (const db of testDatabases()) {
  describe(`metrics (${db.name})`, () => {
    let env: TestApps
    let samples: Sample[]
    let text: string
    let ccClientId: string

    beforeAll(async () => {
      env = await testApps(db, FLOW_ENV)
      // client_credentials, twice, and one failure.
      const cc = await createCcClient(env)
      ccClientId = cc.client_id
      for (let i = 0; i < 2; i++) {
        const res = await tokenRequest(env, { grant_type: 'client_credentials', scope: 'read' }, basic(cc.client_id, cc.client_secret))
        expect(res.statusCode, res.body).toBe(200)
      }
      const bad = await tokenRequest(env, { grant_type: 'client_credentials' }, basic(cc.client_id, 'wrong-secret'))
      expect(bad.statusCode).toBe(401)
      // One authorization code flow to the end, one login rejected, one consent rejected.
      const client = await createClient(env)
      const code = (await fullFlow(env, new CookieJar(), client.client_id)).get('code')
      expect(code).toBeTruthy()
      await exchangeCode(env, client, code as string)
      const rejected = await startFlow(env, new CookieJar(), client.client_id)
      const rej = await adminCall(env, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${rejected}`, { error: 'access_denied' })
      expect(rej.statusCode, rej.body).toBe(200)
      // A route with an id in its path, and a path no route matches.
      expect((await env.admin.inject({ method: 'GET', url: `/admin/clients/${cc.client_id}` })).statusCode).toBe(200)
      expect((await env.admin.inject({ method: 'GET', url: '/admin/clients/no-such-client' })).statusCode).toBe(404)
      expect((await env.public.inject({ method: 'GET', url: '/no/such/route/secret-looking-value' })).statusCode).toBe(404)

      const scrape = await env.admin.inject({ method: 'GET', url: '/admin/metrics/prometheus' })
      expect(scrape.statusCode).toBe(200)
      expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
      text = scrape.body
      samples = parseExposition(text)
    })
    afterAll(async () => {
      await env?.close()
    })

    it('counts requests by listener, method, route pattern and status', () => {
      const token = { listener: 'public', method: 'POST', route: '/oauth2/token' }
      expect(sampleValue(samples, 'orthrus_http_requests_total', { ...token, status_code: '200' })).toBe(3)
      expect(sampleValue(samples, 'orthrus_http_requests_total', { ...token, status_code: '401' })).toBe(1)
      expect(sampleValue(samples, 'orthrus_http_requests_total', { listener: 'admin', method: 'POST', route: '/admin/clients', status_code: '201' })).toBe(2)
      const byId = { listener: 'admin', method: 'GET', route: '/admin/clients/:id' }
      expect(sampleValue(samples, 'orthrus_http_requests_total', { ...byId, status_code: '200' })).toBe(1)
      expect(sampleValue(samples, 'orthrus_http_requests_total', { ...byId, status_code: '404' })).toBe(1)
      expect(sampleValue(samples, 'orthrus_http_requests_total', { listener: 'public', route: '(unmatched)', status_code: '404' })).toBe(1)
      // Patterns only: neither ids nor raw paths nor query strings become label values.
      expect(text).not.toContain(ccClientId)
      expect(text).not.toContain('secret-looking-value')
      expect(text).not.toContain('login_challenge')
    })

    it('has a latency histogram per route with cumulative buckets', () => {
      const labels = { listener: 'public', method: 'POST', route: '/oauth2/token', status_code: '200' }
      const buckets = samples.filter(
        (s) => s.name === 'orthrus_http_request_duration_seconds_bucket' && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )
      expect(buckets.length).toBeGreaterThan(5)
      expect(buckets.at(-1)?.labels.le).toBe('+Inf')
      expect(buckets.at(-1)?.value).toBe(3)
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value)
      expect(sampleValue(samples, 'orthrus_http_request_duration_seconds_count', labels)).toBe(3)
      expect(sampleValue(samples, 'orthrus_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0)
    })

    it('counts issued tokens per grant type', () => {
      expect(sampleValue(samples, 'orthrus_oauth2_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(2)
      expect(sampleValue(samples, 'orthrus_oauth2_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(1)
      expect(sampleValue(samples, 'orthrus_oauth2_tokens_issued_total', { grant_type: 'refresh_token' })).toBeUndefined()
    })

    it('counts flows started, completed and rejected', () => {
      expect(sampleValue(samples, 'orthrus_flows_started_total')).toBe(2)
      expect(sampleValue(samples, 'orthrus_flows_completed_total')).toBe(1)
      expect(sampleValue(samples, 'orthrus_flows_rejected_total', { step: 'login' })).toBe(1)
      expect(sampleValue(samples, 'orthrus_flows_rejected_total', { step: 'consent' })).toBeUndefined()
    })

    it('reports the connection pool of a server database (none for SQLite)', () => {
      const total = sampleValue(samples, 'orthrus_db_pool_connections', { dialect: db.name })
      if (db.name === 'sqlite') expect(total).toBeUndefined()
      else expect(total).toBeGreaterThanOrEqual(1)
    })

    it('includes the process metrics', () => {
      expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
      expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
    })

    it('answers without the /admin prefix too, and only on the admin listener', async () => {
      const res = await env.admin.inject({ method: 'GET', url: '/metrics/prometheus' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('orthrus_http_requests_total')
      expect((await env.public.inject({ method: 'GET', url: '/admin/metrics/prometheus' })).statusCode).toBe(404)
      expect((await env.public.inject({ method: 'GET', url: '/metrics/prometheus' })).statusCode).toBe(404)
    })
  })
}

describe('metrics registries', () => {
  it('are separate per server: two in one process do not share counts', async () => {
    const a = new Metrics({ dialect: 'sqlite', processMetrics: false })
    const b = new Metrics({ dialect: 'sqlite', processMetrics: false })
    a.routeRecorder('public', '/x')('GET', 200, 3)
    const sa = parseExposition(await a.scrape())
    const sb = parseExposition(await b.scrape())
    expect(sampleValue(sa, 'orthrus_http_requests_total', { route: '/x' })).toBe(1)
    expect(sampleValue(sb, 'orthrus_http_requests_total', { route: '/x' })).toBeUndefined()
  })
})

const pgDsn = process.env.TEST_DATABASE_POSTGRESQL
describe.skipIf(!pgDsn)('database pool gauges (postgres)', () => {
  it('report total, idle and waiting connections of a pg pool', async () => {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: pgDsn, max: 2 })
    try {
      const db = { dialect: 'postgres', pool } as unknown as Db
      const poolStats = poolStatsOf(db)
      expect(poolStats).toBeDefined()
      const metrics = new Metrics({ dialect: 'postgres', processMetrics: false, ...(poolStats ? { poolStats } : {}) })
      // Two connections busy, a third query waiting for one of them.
      const held = await Promise.all([pool.connect(), pool.connect()])
      const waiting = pool.query('select 1')
      let s = parseExposition(await metrics.scrape())
      expect(sampleValue(s, 'orthrus_db_pool_connections', { dialect: 'postgres' })).toBe(2)
      expect(sampleValue(s, 'orthrus_db_pool_idle_connections', { dialect: 'postgres' })).toBe(0)
      expect(sampleValue(s, 'orthrus_db_pool_waiting_requests', { dialect: 'postgres' })).toBe(1)
      held.forEach((c) => c.release())
      await waiting
      s = parseExposition(await metrics.scrape())
      expect(sampleValue(s, 'orthrus_db_pool_idle_connections', { dialect: 'postgres' })).toBe(2)
      expect(sampleValue(s, 'orthrus_db_pool_waiting_requests', { dialect: 'postgres' })).toBe(0)
    } finally {
      await pool.end()
    }
  })
})
