// The failures the fuzz suite (fuzz.test.ts) found, pinned one by one: each answered 5xx or broke
// the error shape before its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { FLOW_ENV } from '../support/flow.js'

const JSON_TYPE = { 'content-type': 'application/json' }

for (const t of testDatabases()) {
  describe(`fuzz regressions on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, { ...FLOW_ENV, OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
    })
    afterAll(async () => env.close())

    it('answers a path segment that is not valid percent-encoding with invalid_request, naming no path', async () => {
      for (const [app, url] of [
        [env.admin, '/admin/clients/%'],
        [env.admin, '/admin/keys/%FF'],
        [env.admin, '/admin/keys/set/%E0%A4'],
        [env.public, '/oauth2/register/%zz'],
      ] as const) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(400)
        expect(res.headers['x-request-id']).toBeDefined()
        const body = res.json()
        expect(body).toMatchObject({ error: 'invalid_request', status_code: 400 })
        expect(body.error_description).toContain('not valid percent-encoding')
        expect(res.body).not.toContain(url)
      }
    })

    it('answers a path parameter over the length limit with 414 in the error shape', async () => {
      const res = await env.admin.inject({ method: 'GET', url: `/admin/trust/grants/jwt-bearer/issuers/${'a'.repeat(600)}` })
      expect(res.statusCode).toBe(414)
      expect(res.json()).toMatchObject({ error: 'invalid_request', status_code: 414 })
    })

    it('ignores a JSON body at POST /oauth2/auth instead of failing on non-string parameters', async () => {
      for (const payload of ['{"client_id":0}', '{"client_id":{}}', '{"response_type":true}']) {
        const res = await env.public.inject({ method: 'POST', url: '/oauth2/auth', headers: JSON_TYPE, payload })
        expect(res.statusCode, payload).toBeLessThan(500)
      }
    })

    it('refuses JSON nested too deeply, so a stored client cannot break the client list', async () => {
      const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
      for (const [app, url] of [
        [env.admin, '/admin/clients'],
        [env.public, '/oauth2/register'],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, headers: JSON_TYPE, payload: `{"metadata":${deep(2000)}}` })
        expect(res.statusCode, url).toBe(400)
        expect(res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('deeper than 64') })
      }
      const ok = await env.admin.inject({ method: 'POST', url: '/admin/clients', headers: JSON_TYPE, payload: `{"metadata":${deep(40)}}` })
      expect(ok.statusCode).toBe(201)
      const list = await env.admin.inject({ method: 'GET', url: '/admin/clients' })
      expect(list.statusCode).toBe(200)
    })
  })
}
