// POST / DELETE /admin/clients/{id}/secrets/rotate (Hydra's rotateOAuth2ClientSecret and
// deleteRotatedOAuth2ClientSecrets): a new secret shown once, previous secrets that keep
// authenticating until deleted (at most five), 400 for clients without a secret to rotate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { basic, tokenCall } from '../support/tokens.js'

for (const t of testDatabases()) {
  describe(`client secret rotation on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t)
    })
    afterAll(async () => env.close())

    const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      env.admin.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) })

    const create = async (body: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret: string }> => {
      const res = await call('POST', '/admin/clients', { grant_types: ['client_credentials'], ...body })
      expect(res.statusCode).toBe(201)
      return res.json()
    }
    const rotate = async (id: string): Promise<string> => {
      const res = await call('POST', `/admin/clients/${id}/secrets/rotate`)
      expect(res.statusCode).toBe(200)
      const body = res.json<{ client_id: string; client_secret: string }>()
      expect(body.client_id).toBe(id)
      return body.client_secret
    }
    /** The status of a client_credentials token request with this secret (basic or post). */
    const tokenStatus = async (id: string, secret: string, method: 'basic' | 'post' = 'basic'): Promise<number> => {
      const res =
        method === 'basic'
          ? await tokenCall(env, { grant_type: 'client_credentials' }, basic({ client_id: id, client_secret: secret }))
          : await tokenCall(env, { grant_type: 'client_credentials', client_id: id, client_secret: secret })
      return res.statusCode
    }

    it('gives a new secret once and keeps the previous one valid until the rotated secrets are deleted', async () => {
      const { client_id: id, client_secret: first } = await create()
      expect(await tokenStatus(id, first)).toBe(200)

      const second = await rotate(id)
      expect(second).toMatch(/^.{26}$/)
      expect(second).not.toBe(first)
      // Shown once: reading the client never shows it again.
      expect((await call('GET', `/admin/clients/${id}`)).json().client_secret).toBeUndefined()

      expect(await tokenStatus(id, second)).toBe(200)
      expect(await tokenStatus(id, first)).toBe(200)
      expect(await tokenStatus(id, 'not-a-secret-of-this-client')).toBe(401)

      const deleted = await call('DELETE', `/admin/clients/${id}/secrets/rotate`)
      expect(deleted.statusCode).toBe(200)
      expect(deleted.json()).toMatchObject({ client_id: id })
      expect(deleted.json().client_secret).toBeUndefined()
      // The first secret was verified (and remembered) above; deleting ends that at once.
      expect(await tokenStatus(id, first)).toBe(401)
      expect(await tokenStatus(id, second)).toBe(200)
    })

    it('keeps the five most recent previous secrets, stores only hashes, and serves client_secret_post clients', async () => {
      const { client_id: id, client_secret: first } = await create({ token_endpoint_auth_method: 'client_secret_post' })
      const secrets = [first]
      for (let i = 0; i < 6; i++) secrets.push(await rotate(id))
      // secrets[6] is current; 1..5 are the rotated ones kept; 0 fell off.
      expect(await tokenStatus(id, secrets[6]!, 'post')).toBe(200)
      for (const s of secrets.slice(1, 6)) expect(await tokenStatus(id, s, 'post')).toBe(200)
      expect(await tokenStatus(id, secrets[0]!, 'post')).toBe(401)

      const row = await env.registry.db.kysely
        .selectFrom('hydra_client')
        .select(['client_secret', 'rotated_secrets'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const hashes = JSON.parse(row.rotated_secrets ?? '[]') as string[]
      expect(hashes).toHaveLength(5)
      for (const s of secrets) {
        expect(row.rotated_secrets).not.toContain(s)
        expect(row.client_secret).not.toContain(s)
      }
    })

    it('ends the rotated secrets when a new secret is set by PUT or PATCH, keeps them otherwise', async () => {
      const { client_id: id, client_secret: first } = await create({ client_name: 'a' })
      const second = await rotate(id)
      const patched = await call('PATCH', `/admin/clients/${id}`, [{ op: 'replace', path: '/client_name', value: 'b' }])
      expect(patched.statusCode).toBe(200)
      expect(await tokenStatus(id, first)).toBe(200)

      const put = await call('PUT', `/admin/clients/${id}`, { client_name: 'c', grant_types: ['client_credentials'] })
      expect(put.statusCode).toBe(200)
      expect(await tokenStatus(id, first)).toBe(200)
      expect(await tokenStatus(id, second)).toBe(200)

      const third = 'a-third-secret-set-by-patch'
      const withSecret = await call('PATCH', `/admin/clients/${id}`, [{ op: 'replace', path: '/client_secret', value: third }])
      expect(withSecret.statusCode).toBe(200)
      expect(await tokenStatus(id, third)).toBe(200)
      expect(await tokenStatus(id, second)).toBe(401)
      expect(await tokenStatus(id, first)).toBe(401)

      const fourth = await rotate(id)
      const fifth = 'a-fifth-secret-set-by-put'
      expect((await call('PUT', `/admin/clients/${id}`, { client_secret: fifth, grant_types: ['client_credentials'] })).statusCode).toBe(200)
      expect(await tokenStatus(id, fifth)).toBe(200)
      expect(await tokenStatus(id, fourth)).toBe(401)
      expect(await tokenStatus(id, third)).toBe(401)
    })

    it('answers 400 for clients that do not authenticate with a secret, and 404 for an unknown client', async () => {
      const pub = await call('POST', '/admin/clients', { token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1:8080/cb'] })
      const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', use: 'sig', kid: 'k1', alg: 'ES256' }] }
      const jwt = await call('POST', '/admin/clients', { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks, grant_types: ['client_credentials'] })
      expect(pub.statusCode).toBe(201)
      expect(jwt.statusCode).toBe(201)
      for (const [id, method] of [[pub.json().client_id, 'none'], [jwt.json().client_id, 'private_key_jwt']] as const) {
        for (const verb of ['POST', 'DELETE'] as const) {
          const res = await call(verb, `/admin/clients/${id}/secrets/rotate`)
          expect(res.statusCode, `${verb} ${method}`).toBe(400)
          expect(res.json()).toMatchObject({ error: 'invalid_request' })
          expect(res.json().error_description).toContain(`"${method}"`)
        }
      }
      for (const verb of ['POST', 'DELETE'] as const) {
        const res = await call(verb, '/admin/clients/no-such-client/secrets/rotate')
        expect(res.statusCode).toBe(404)
        expect(res.json().error).toBe('Unable to locate the resource')
      }
    })

    it('answers without the /admin prefix too', async () => {
      const { client_id: id, client_secret: first } = await create()
      const res = await env.admin.inject({ method: 'POST', url: `/clients/${id}/secrets/rotate` })
      expect(res.statusCode).toBe(200)
      expect(await tokenStatus(id, first)).toBe(200)
      expect((await env.admin.inject({ method: 'DELETE', url: `/clients/${id}/secrets/rotate` })).statusCode).toBe(200)
      expect(await tokenStatus(id, first)).toBe(401)
    })
  })
}
