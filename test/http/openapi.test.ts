// GET /.well-known/openapi.json on both listeners: generated from the routes that exist, valid
// OpenAPI 3 shape, and Hydra's operationIds for the paths both implement.
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

interface Doc {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }>; deprecated?: boolean }>>
  components: { schemas: Record<string, unknown> }
}

/**
 * Every (method, path) Fastify knows, read from its own route tree printout (not from the code
 * under test): lines like `│   └── /:id (GET, HEAD, PUT)`, four characters per level.
 */
function routesOf(app: FastifyInstance): Set<string> {
  const out = new Set<string>()
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (!m) continue
    const depth = [...(m[1] ?? '')].length / 4
    stack.length = depth
    const path = (stack[depth - 1] ?? '') + (m[2] ?? '')
    stack[depth] = path
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) out.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
    }
  }
  return out
}

const operationsOf = (doc: Doc): Set<string> =>
  new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)))

// Checked by hand against Hydra 2's API description.
const HYDRA_OPERATION_IDS: Array<[string, string]> = [
  ['GET /.well-known/jwks.json', 'discoverJsonWebKeys'],
  ['GET /.well-known/openid-configuration', 'discoverOidcConfiguration'],
  ['GET /oauth2/auth', 'oAuth2Authorize'],
  ['POST /oauth2/token', 'oauth2TokenExchange'],
  ['POST /oauth2/revoke', 'revokeOAuth2Token'],
  ['GET /userinfo', 'getOidcUserInfo'],
  ['GET /oauth2/sessions/logout', 'revokeOidcSession'],
  ['POST /oauth2/register', 'createOidcDynamicClient'],
  ['GET /oauth2/register/{id}', 'getOidcDynamicClient'],
  ['PUT /oauth2/register/{id}', 'setOidcDynamicClient'],
  ['DELETE /oauth2/register/{id}', 'deleteOidcDynamicClient'],
  ['GET /health/alive', 'isAlive'],
  ['GET /health/ready', 'isReady'],
  ['GET /version', 'getVersion'],
  ['GET /admin/clients', 'listOAuth2Clients'],
  ['POST /admin/clients', 'createOAuth2Client'],
  ['GET /admin/clients/{id}', 'getOAuth2Client'],
  ['PUT /admin/clients/{id}', 'setOAuth2Client'],
  ['PATCH /admin/clients/{id}', 'patchOAuth2Client'],
  ['DELETE /admin/clients/{id}', 'deleteOAuth2Client'],
  ['PUT /admin/clients/{id}/lifespans', 'setOAuth2ClientLifespans'],
  ['POST /admin/clients/{id}/secrets/rotate', 'rotateOAuth2ClientSecret'],
  ['DELETE /admin/clients/{id}/secrets/rotate', 'deleteRotatedOAuth2ClientSecrets'],
  ['GET /admin/keys/{set}', 'getJsonWebKeySet'],
  ['POST /admin/keys/{set}', 'createJsonWebKeySet'],
  ['PUT /admin/keys/{set}', 'setJsonWebKeySet'],
  ['DELETE /admin/keys/{set}', 'deleteJsonWebKeySet'],
  ['GET /admin/keys/{set}/{kid}', 'getJsonWebKey'],
  ['PUT /admin/keys/{set}/{kid}', 'setJsonWebKey'],
  ['DELETE /admin/keys/{set}/{kid}', 'deleteJsonWebKey'],
  ['POST /admin/oauth2/introspect', 'introspectOAuth2Token'],
  ['DELETE /admin/oauth2/tokens', 'deleteOAuth2Token'],
  ['GET /admin/oauth2/auth/requests/login', 'getOAuth2LoginRequest'],
  ['PUT /admin/oauth2/auth/requests/login/accept', 'acceptOAuth2LoginRequest'],
  ['PUT /admin/oauth2/auth/requests/login/reject', 'rejectOAuth2LoginRequest'],
  ['GET /admin/oauth2/auth/requests/consent', 'getOAuth2ConsentRequest'],
  ['PUT /admin/oauth2/auth/requests/consent/accept', 'acceptOAuth2ConsentRequest'],
  ['PUT /admin/oauth2/auth/requests/consent/reject', 'rejectOAuth2ConsentRequest'],
  ['GET /admin/oauth2/auth/requests/logout', 'getOAuth2LogoutRequest'],
  ['PUT /admin/oauth2/auth/requests/logout/accept', 'acceptOAuth2LogoutRequest'],
  ['PUT /admin/oauth2/auth/requests/logout/reject', 'rejectOAuth2LogoutRequest'],
  ['GET /admin/oauth2/auth/sessions/consent', 'listOAuth2ConsentSessions'],
  ['DELETE /admin/oauth2/auth/sessions/consent', 'revokeOAuth2ConsentSessions'],
  ['DELETE /admin/oauth2/auth/sessions/login', 'revokeOAuth2LoginSessions'],
]
// Routes other work may not have added yet: checked only when present.
const OPTIONAL: Array<[string, string]> = [
  ['GET /admin/trust/grants/jwt-bearer/issuers', 'listTrustedOAuth2JwtGrantIssuers'],
  ['POST /admin/trust/grants/jwt-bearer/issuers', 'trustOAuth2JwtGrantIssuer'],
  ['GET /admin/trust/grants/jwt-bearer/issuers/{id}', 'getTrustedOAuth2JwtGrantIssuer'],
  ['DELETE /admin/trust/grants/jwt-bearer/issuers/{id}', 'deleteTrustedOAuth2JwtGrantIssuer'],
  ['POST /oauth2/device/auth', 'oAuth2DeviceFlow'],
  ['GET /oauth2/device/verify', 'performOAuth2DeviceVerificationFlow'],
  ['PUT /admin/oauth2/auth/requests/device/accept', 'acceptUserCodeRequest'],
]

function expectValidShape(doc: Doc): void {
  expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
  expect(typeof doc.info.title).toBe('string')
  expect(typeof doc.info.version).toBe('string')
  expect(typeof doc.paths).toBe('object')
  expect(typeof doc.components.schemas).toBe('object')
  const ids = new Set<string>()
  for (const [path, ops] of Object.entries(doc.paths)) {
    expect(path, 'OpenAPI path templates, not Fastify params').not.toMatch(/:/)
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const [method, op] of Object.entries(ops)) {
      expect(['get', 'post', 'put', 'patch', 'delete']).toContain(method)
      expect(op.operationId, `${method} ${path}`).toMatch(/^[A-Za-z][A-Za-z0-9]*$/)
      expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false)
      ids.add(op.operationId)
      expect(Object.keys(op.responses).length, `${method} ${path} has responses`).toBeGreaterThan(0)
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
      expect(declared.sort(), `${method} ${path} path parameters`).toEqual([...templated].sort())
    }
  }
  // Every reference resolves inside the document.
  const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? '')
  expect(refs.length).toBeGreaterThan(0)
  for (const name of refs) expect(Object.keys(doc.components.schemas), name).toContain(name)
}

for (const t of testDatabases()) {
  describe(`/.well-known/openapi.json on ${t.name}`, () => {
    let env: TestApps
    let publicDoc: Doc
    let adminDoc: Doc
    beforeAll(async () => {
      env = await testApps(t, { OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
      const pub = await env.public.inject({ method: 'GET', url: '/.well-known/openapi.json' })
      expect(pub.statusCode).toBe(200)
      expect(pub.headers['content-type']).toMatch(/^application\/json/)
      publicDoc = pub.json<Doc>()
      const admin = await env.admin.inject({ method: 'GET', url: '/.well-known/openapi.json' })
      expect(admin.statusCode).toBe(200)
      adminDoc = admin.json<Doc>()
    })
    afterAll(async () => env.close())

    it('is a valid OpenAPI 3 document on each listener', () => {
      expectValidShape(publicDoc)
      expectValidShape(adminDoc)
      expect(publicDoc.info.title).not.toBe(adminDoc.info.title)
    })

    it('lists exactly the routes each listener registered', () => {
      const pub = routesOf(env.public)
      const admin = routesOf(env.admin)
      expect(pub.size).toBeGreaterThan(10)
      expect(admin.size).toBeGreaterThan(30)
      expect([...operationsOf(publicDoc)].sort()).toEqual([...pub].sort())
      expect([...operationsOf(adminDoc)].sort()).toEqual([...admin].sort())
      // Each listener describes only itself.
      expect(publicDoc.paths['/admin/clients']).toBeUndefined()
      expect(adminDoc.paths['/oauth2/token']).toBeUndefined()
    })

    it('describes admin routes with and without the /admin prefix, the alias deprecated', () => {
      expect(adminDoc.paths['/admin/clients/{id}']?.get?.operationId).toBe('getOAuth2Client')
      const alias = adminDoc.paths['/clients/{id}']?.get
      expect(alias?.operationId).toBe('getOAuth2ClientUnprefixed')
      expect(alias?.deprecated).toBe(true)
    })

    it("uses Hydra's operationIds for the paths both implement", () => {
      const all = { ...publicDoc.paths, ...adminDoc.paths }
      const idOf = (key: string) => {
        const [method, path] = key.split(' ') as [string, string]
        return all[path]?.[method.toLowerCase()]?.operationId
      }
      for (const [key, id] of HYDRA_OPERATION_IDS) expect(idOf(key), key).toBe(id)
      for (const [key, id] of OPTIONAL) if (idOf(key) !== undefined) expect(idOf(key), key).toBe(id)
    })

    it('describes request bodies, parameters and responses of the documented routes', () => {
      const token = publicDoc.paths['/oauth2/token']?.post as unknown as { requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown> }
      expect(Object.keys(token.requestBody.content)).toEqual(['application/x-www-form-urlencoded'])
      expect(token.responses).toHaveProperty('200')
      expect(token.responses).toHaveProperty('default')
      const login = adminDoc.paths['/admin/oauth2/auth/requests/login']?.get
      expect(login?.parameters).toEqual([expect.objectContaining({ name: 'login_challenge', in: 'query' })])
      expect(adminDoc.components.schemas).toHaveProperty('oAuth2Client')
      expect(adminDoc.components.schemas).toHaveProperty('errorOAuth2')
    })
  })
}
