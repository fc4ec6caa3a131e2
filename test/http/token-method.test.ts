// A method other than POST on the POST-only OAuth 2.0 endpoints: 405 with Allow, as Hydra's
// router answers, in the RFC 6749 error shape with fosite's wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

const METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'] as const

for (const t of testDatabases()) {
  describe(`wrong methods on the OAuth 2.0 endpoints on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    const endpoints = (): Array<[string, FastifyInstance, string]> => [
      ['token', env.public, '/oauth2/token'],
      ['revoke', env.public, '/oauth2/revoke'],
      ['device authorization', env.public, '/oauth2/device/auth'],
      ['introspect', env.admin, '/admin/oauth2/introspect'],
      ['introspect without prefix', env.admin, '/oauth2/introspect'],
    ]

    it('answers 405 invalid_request with Allow: OPTIONS, POST', async () => {
      for (const [what, app, url] of endpoints()) {
        for (const method of METHODS) {
          const res = await app.inject({ method, url: `${url}?grant_type=client_credentials` })
          expect(res.statusCode, `${method} ${what}: ${res.body}`).toBe(405)
          expect(res.headers.allow).toBe('OPTIONS, POST')
          expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
          const body = res.json()
          expect(body).toMatchObject({ error: 'invalid_request', status_code: 405, error_hint: `HTTP method is '${method}', expected 'POST'.` })
          expect(body.error_description).toContain(`HTTP method is '${method}', expected 'POST'.`)
        }
        const head = await app.inject({ method: 'HEAD', url })
        expect(head.statusCode, `HEAD ${what}`).toBe(405)
        expect(head.headers.allow).toBe('OPTIONS, POST')
        expect(head.body).toBe('')
      }
    })

    it('still routes POST to the endpoints, and leaves unknown paths at 404', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' }
      const token = await env.public.inject({ method: 'POST', url: '/oauth2/token', headers: form, payload: 'grant_type=client_credentials' })
      expect(token.statusCode, token.body).toBe(400)
      expect(token.headers.allow).toBeUndefined()
      const revoke = await env.public.inject({ method: 'POST', url: '/oauth2/revoke', headers: form, payload: '' })
      expect(revoke.statusCode).toBe(400)
      expect(revoke.json().error).toBe('invalid_request')
      const introspect = await env.admin.inject({ method: 'POST', url: '/admin/oauth2/introspect', headers: form, payload: 'token=nope' })
      expect(introspect.statusCode, introspect.body).toBe(200)
      expect(introspect.json()).toEqual({ active: false })
      // A trailing slash is the same endpoint, and an unrelated path is still not found.
      expect((await env.public.inject({ method: 'GET', url: '/oauth2/token/' })).statusCode).toBe(405)
      expect((await env.public.inject({ method: 'GET', url: '/oauth2/tokens' })).statusCode).toBe(404)
      // DELETE /admin/oauth2/tokens is its own endpoint, untouched.
      expect((await env.admin.inject({ method: 'DELETE', url: '/admin/oauth2/tokens?client_id=nobody' })).statusCode).toBe(204)
    })

    it('leaves OPTIONS to CORS handling (no 405)', async () => {
      const res = await env.public.inject({ method: 'OPTIONS', url: '/oauth2/token' })
      expect(res.statusCode).not.toBe(405)
    })
  })
}
