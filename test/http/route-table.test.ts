// The route table drives registration, the served OpenAPI document and discovery: every operation
// the document describes is routed (answers something other than the router's 404), uses Hydra's
// operationId where Hydra has the operation, and discovery advertises only routed endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { HYDRA_OPERATIONS } from '../../src/http/schemas/hydra.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

interface Doc {
  paths: Record<string, Record<string, { operationId: string; deprecated?: boolean; responses: Record<string, unknown> }>>
}

// Hydra operations Orthrus does not serve (yet): verifiable credentials.
const NOT_ROUTED = new Set(['POST /credentials'])

const ROUTER_404 = 'The requested route does not exist.'

const sqlite = testDatabases()[0]!

describe('the route table', () => {
  let env: TestApps
  const docs: Record<'public' | 'admin', Doc> = { public: { paths: {} }, admin: { paths: {} } }
  beforeAll(async () => {
    env = await testApps(sqlite, { OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
    docs.public = (await env.public.inject({ method: 'GET', url: '/.well-known/openapi.json' })).json<Doc>()
    docs.admin = (await env.admin.inject({ method: 'GET', url: '/.well-known/openapi.json' })).json<Doc>()
  })
  afterAll(async () => env.close())

  const operations = (doc: Doc) =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))

  it('routes every operation the served documents describe', async () => {
    for (const [listener, app] of [['public', env.public], ['admin', env.admin]] as Array<['public' | 'admin', FastifyInstance]>) {
      const ops = operations(docs[listener])
      expect(ops.length).toBeGreaterThan(listener === 'public' ? 15 : 40)
      for (const { method, path } of ops) {
        const url = path.replace(/\{[^}]+\}/g, 'unknown-id')
        const res = await app.inject({ method: method as 'GET', url })
        const routerMiss = res.statusCode === 404 && res.body.includes(ROUTER_404)
        expect(routerMiss, `${listener}: ${method} ${path} answered the router's 404`).toBe(false)
      }
    }
  })

  it("uses Hydra's operationId for every operation Hydra has, and routes all of Hydra's but the listed ones", () => {
    const ours = new Map<string, string>()
    for (const doc of [docs.public, docs.admin]) {
      for (const { method, path, op } of operations(doc)) if (!op.deprecated) ours.set(`${method} ${path}`, op.operationId)
    }
    for (const [key, hydra] of Object.entries(HYDRA_OPERATIONS)) {
      if (ours.has(key)) expect(ours.get(key), key).toBe(hydra.operationId)
      else expect(NOT_ROUTED.has(key), `${key} (${hydra.operationId}) is neither routed nor listed as not routed`).toBe(true)
    }
  })

  it('answers the POST-only OAuth 2.0 endpoints with 405 for other methods without describing them', () => {
    expect(docs.public.paths['/oauth2/token']).toEqual({ post: expect.anything() })
    expect(docs.admin.paths['/admin/oauth2/introspect']).toEqual({ post: expect.anything() })
  })

  it('advertises in discovery exactly the public routes that name a metadata field', async () => {
    const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<Record<string, unknown>>()
    const advertised = Object.entries(doc).filter(([k, v]) => (k.endsWith('_endpoint') || k === 'jwks_uri') && typeof v === 'string')
    expect(advertised.map(([k]) => k).sort()).toEqual(
      [
        'authorization_endpoint',
        'device_authorization_endpoint',
        'end_session_endpoint',
        'jwks_uri',
        'pushed_authorization_request_endpoint',
        'registration_endpoint',
        'revocation_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
      ].sort(),
    )
    for (const [name, url] of advertised) {
      const path = new URL(url as string).pathname
      expect(docs.public.paths[path], `${name} ${path}`).toBeDefined()
    }
  })
})
