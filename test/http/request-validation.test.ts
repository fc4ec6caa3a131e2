// The route table's request schemas are enforced by Fastify's ajv (http/validation.ts): a
// malformed admin JSON body, form, query string or path parameter is a 400 in the route's error
// shape naming the member, decided before the handler runs; nothing is coerced.
import Fastify, { type RouteOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerRoutes } from '../../src/http/route-table.js'
import { AJV_OPTIONS } from '../../src/http/validation.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar } from '../support/browser.js'
import { FLOW_ENV, adminCall, createClient, startFlow } from '../support/flow.js'
import { basic } from '../support/tokens.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const BAD_REQUEST = 'The request was malformed or contained invalid parameters'

// An RSA public key without kid, alg or use: RFC 7517 requires only kty (and the key material).
const BARE_RSA = {
  kty: 'RSA',
  e: 'AQAB',
  n: 'nzyis1ZjfNB0bBgKFMSvvkTtwlvBsaJq7S5wA-kzeVOVpVWwkWdVha4s38XM_pa_yr47av7-z3VTmvDRyAHcaT92whREFpLv9cj5lTeJSibyr_Mrm_YtjCZVWgaOYIhwrXwKLqPr_11inWsAkfIytvHWTxZYEcXLgAXFuUuaS3uF9gEiNQwzGTU1v0FqkqTBr4B8nW3HCN47XUu0t8Y0e-lf4s4OxQawWD79J9_5d3Ry0vbV3Am1FtGJiJvOwRsIfVChDpYStTcHTCMqtvWbV6L11BWkpzGXSW4Hv43qa-GSYOD2QU68Mb59oSk2OB-BtOLpJofmbGEGgvmwyCI9Mw',
}

for (const t of testDatabases()) {
  describe(`request schemas on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      // error_debug shows the reason a route keeps out of its hint (POST /credentials, as Hydra).
      env = await testApps(t, { ...FLOW_ENV, OAUTH2_EXPOSE_INTERNAL_ERRORS: 'true' })
    })
    afterAll(async () => env.close())

    it('refuses an admin JSON body member of the wrong type as Hydra decodes it, naming the member', async () => {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'x', redirect_uris: 'https://a.example/cb' } })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({
        error: BAD_REQUEST,
        error_description: 'Unable to decode the request body: field "redirect_uris" must be an array of strings.',
        status_code: 400,
      })
      // A number is not coerced into a string, nor a string into an integer.
      const name = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 5 } })
      expect(name.statusCode).toBe(400)
      expect(name.json().error_description).toBe('Unable to decode the request body: field "client_name" must be a string.')
      const lifespan = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_secret_expires_at: '10' } })
      expect(lifespan.statusCode).toBe(400)
      expect(lifespan.json().error_description).toBe('Unable to decode the request body: field "client_secret_expires_at" must be an integer.')
      // A nested member is named by its path.
      const kty = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { jwks: { keys: [{ kty: 7 }] } } })
      expect(kty.statusCode).toBe(400)
      expect(kty.json().error_description).toBe('Unable to decode the request body: field "jwks.keys[0].kty" must be a string.')
    })

    it('keeps unknown members and takes null as absent, as Go decodes', async () => {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: null, not_a_member: { x: 1 }, scope: 'openid' } })
      expect(res.statusCode).toBe(201)
      expect(res.json().client_name).toBe('')
    })

    it('refuses a login/consent body member of the wrong type in the flow handlers\' words', async () => {
      const res = await env.admin.inject({ method: 'PUT', url: '/admin/oauth2/auth/requests/login/accept?login_challenge=x', payload: { subject: 'u', remember: 'yes' } })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: 'Unable to decode body because: field "remember" must be a boolean.' })
    })

    it('refuses a key request member of the wrong type in the key handlers\' words, naming the member', async () => {
      const invalid = (hint: string) => ({ error: 'invalid_request', error_hint: hint, status_code: 400 })
      const create = await env.admin.inject({ method: 'POST', url: '/admin/keys/typed', payload: { alg: 'ES256', use: 'sig', kid: 42 } })
      expect(create.statusCode).toBe(400)
      expect(create.json()).toMatchObject(invalid('"kid" must be a string.'))
      // The refused value is echoed, as for an algorithm that is not offered.
      const alg = await env.admin.inject({ method: 'POST', url: '/admin/keys/typed', payload: { alg: 256, use: 'sig' } })
      expect(alg.json().error_hint).toMatch(/^"alg" = "256" is not supported: use one of /)
      const key = await env.admin.inject({ method: 'PUT', url: '/admin/keys/typed/k', payload: { kty: 7, kid: 'k', alg: 'ES256' } })
      expect(key.statusCode).toBe(400)
      expect(key.json()).toMatchObject(invalid('"kty" must be a string.'))
      const set = await env.admin.inject({ method: 'PUT', url: '/admin/keys/typed', payload: { keys: [{ kty: 'EC', kid: 'k', alg: 'ES256', x5c: [1] }] } })
      expect(set.statusCode).toBe(400)
      expect(set.json()).toMatchObject(invalid('keys[0]: "x5c" must be an array of strings.'))
      expect((await env.admin.inject({ method: 'GET', url: '/admin/keys/typed' })).statusCode).toBe(404)
    })

    it('refuses a trust request member of the wrong type in the trust handler\'s words, naming the member', async () => {
      const res = await env.admin.inject({
        method: 'POST',
        url: '/admin/trust/grants/jwt-bearer/issuers',
        payload: { issuer: 'https://typed.example', subject: 7, scope: [], jwk: BARE_RSA, expires_at: '2999-01-01T00:00:00Z' },
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: "Field 'subject' must be a string.", status_code: 400 })
      const scope = await env.admin.inject({
        method: 'POST',
        url: '/admin/trust/grants/jwt-bearer/issuers',
        payload: { issuer: 'https://typed.example', subject: 's', scope: ['a', 2], jwk: { ...BARE_RSA, kid: 'k' }, expires_at: '2999-01-01T00:00:00Z' },
      })
      expect(scope.json()).toMatchObject({ error: 'invalid_request', error_hint: "Field 'scope' must contain non-empty scope values without whitespace." })
    })

    it('refuses a credential request member of the wrong type as Hydra words a body that does not decode, after the token', async () => {
      // Without a valid token the answer is 401 whatever the body, as in Hydra.
      const anonymous = await env.public.inject({ method: 'POST', url: '/credentials', payload: { format: 5 } })
      expect(anonymous.statusCode).toBe(401)
      const client = await createClient(env, { grant_types: ['client_credentials'], response_types: [], scope: 'read' })
      const token = await env.public.inject({ method: 'POST', url: '/oauth2/token', headers: { ...FORM, ...basic(client) }, payload: 'grant_type=client_credentials' })
      expect(token.statusCode).toBe(200)
      const authorization = `Bearer ${token.json().access_token}`
      const res = await env.public.inject({ method: 'POST', url: '/credentials', headers: { authorization }, payload: { format: 'jwt_vc_json', proof: { proof_type: 'jwt', jwt: 5 } } })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: 'Unable to decode request body.', error_debug: 'field "proof.jwt" must be a string.' })
    })

    it('refuses a JSON Patch operation member of the wrong type in the patch\'s words, after the client is found', async () => {
      const client = await createClient(env)
      const res = await env.admin.inject({ method: 'PATCH', url: `/admin/clients/${client.client_id}`, payload: [{ op: 'replace', path: 5, value: 'x' }] })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: 'The JSON Patch is invalid: Operation `path` property is not a string.' })
      const op = await env.admin.inject({ method: 'PATCH', url: `/admin/clients/${client.client_id}`, payload: [{ op: ['replace'], path: '/client_name', value: 'x' }] })
      expect(op.json().error_hint).toBe('The JSON Patch is invalid: Operation `op` property is not one of operations defined in RFC-6902.')
      // Hydra reads the client first: an unknown one is a 404 whatever the body.
      const unknown = await env.admin.inject({ method: 'PATCH', url: '/admin/clients/nobody-here', payload: [{ op: 'replace', path: 5 }] })
      expect(unknown.statusCode).toBe(404)
    })

    it('refuses a form without a required parameter with invalid_request naming it', async () => {
      // The mapping must give what the handler gives: fosite's wording.
      const res = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: FORM, payload: 'scope=openid' })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: "The request parameter 'token' is missing." })
      const revoke = await env.public.inject({ method: 'POST', url: '/oauth2/revoke', headers: FORM, payload: 'token_type_hint=access_token' })
      expect(revoke.statusCode).toBe(400)
      expect(revoke.json()).toMatchObject({ error: 'invalid_request', error_hint: "The request parameter 'token' is missing." })
    })

    it('lets unknown and repeated form parameters through to the OAuth 2.0 core', async () => {
      const res = await env.public.inject({ method: 'POST', url: '/oauth2/token', headers: FORM, payload: 'grant_type=client_credentials&grant_type=x&whatever=1' })
      expect(res.statusCode).toBe(400)
      expect(res.json().error_hint).toBe("The request parameter 'grant_type' must only be included once.")
    })

    it('refuses a query string without a required parameter, naming it', async () => {
      const res = await env.admin.inject({ method: 'PUT', url: '/admin/oauth2/auth/requests/device/accept?other=1', payload: { user_code: 'ABCD-EFGH' } })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: "Query parameter 'device_challenge' is not defined but should have been." })
      // A query string is not coerced: page_size stays text for the handler, which words its refusal.
      const size = await env.admin.inject({ method: 'GET', url: '/admin/clients?page_size=1.5' })
      expect(size.statusCode).toBe(400)
      expect(size.json().error_hint).toBe('page_size = "1.5" must be a positive integer.')
    })

    it('refuses a path parameter over its limit, naming it', async () => {
      const res = await env.admin.inject({ method: 'GET', url: `/admin/keys/${'s'.repeat(256)}` })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_hint: "Path parameter 'set' must be at most 255 characters long." })
      const kid = await env.admin.inject({ method: 'DELETE', url: `/admin/keys/s/${'k'.repeat(256)}` })
      expect(kid.statusCode).toBe(400)
      expect(kid.json().error_hint).toBe("Path parameter 'kid' must be at most 255 characters long.")
    })

    // Hydra keeps a client's jwks as go-jose's JSONWebKeySet: any valid key is accepted, and kid,
    // alg and use, empty, are left out of the answer (although Hydra's schema calls them required).
    it('accepts a client key without kid, alg and use and answers without them', async () => {
      const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'bare key', jwks: { keys: [BARE_RSA] } } })
      expect(res.statusCode).toBe(201)
      const key = res.json().jwks.keys[0]
      expect(key).toEqual(BARE_RSA)
      const got = await env.admin.inject({ method: 'GET', url: `/admin/clients/${res.json().client_id}` })
      expect(got.statusCode).toBe(200)
      expect(got.json().jwks.keys[0]).toEqual(BARE_RSA)
      // The login request embeds the client, keys and all.
      const client = await createClient(env, { jwks: { keys: [BARE_RSA] } })
      const challenge = await startFlow(env, new CookieJar(), client.client_id)
      const login = await adminCall(env, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`)
      expect(login.statusCode).toBe(200)
      expect(login.json().client.jwks.keys[0]).toEqual(BARE_RSA)
    })
  })
}

describe('registerRoutes', () => {
  it('hands every request schema of the table to Fastify', async () => {
    const app = Fastify({ ajv: { customOptions: AJV_OPTIONS } })
    const seen: RouteOptions[] = []
    app.addHook('onRoute', (route) => {
      seen.push(route)
    })
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }
    await registerRoutes(app, [
      {
        routes: [
          {
            method: 'POST',
            url: '/x/:id',
            operationId: 'x',
            summary: 'x',
            tags: [],
            params: { type: 'object', properties: { id: { type: 'string', maxLength: 3 } }, required: ['id'] },
            querystring: schema,
            body: { media: 'json', schema },
            responses: {},
            handler: async () => ({}),
          },
        ],
      },
    ])
    const route = seen.find((r) => r.url === '/x/:id')
    expect(route?.schema?.params).toBeDefined()
    expect(route?.schema?.querystring).toBeDefined()
    expect(route?.schema?.body).toBeDefined()
    expect(route?.schemaErrorFormatter).toBeTypeOf('function')
    await app.close()
  })
})
