// clients.http.disallow_private_ip_ranges at registration (admin and dynamic) and at fetch time
// through the registry-built services: a client's URLs that point the server at a private address
// are refused, unless they match clients.http.private_ip_exception_urls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appsOn, type TestApps } from '../support/app.js'
import { lastingDatabase, testDatabases } from '../support/databases.js'
import { FakeServer } from '../support/fake-http.js'

const CB = 'http://127.0.0.1:9999/cb'

for (const t of testDatabases()) {
  describe(`outbound address policy on ${t.name}`, () => {
    const remote = new FakeServer()
    let open: TestApps
    let strict: TestApps
    let drop: () => Promise<void>

    beforeAll(async () => {
      await remote.start()
      // Two servers over one database (the in-memory SQLite one would be two databases).
      const db = await lastingDatabase(t)
      drop = db.drop
      open = await appsOn(db.dsn)
      strict = await appsOn(db.dsn, {
        CLIENTS_HTTP_DISALLOW_PRIVATE_IP_RANGES: 'true',
        // `*` stops at '.' and '/' (Hydra's glob separators): `**` is needed for file names.
        CLIENTS_HTTP_PRIVATE_IP_EXCEPTION_URLS: `${remote.url}/allowed/**`,
        OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true',
        OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise',
        OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'a-long-enough-pairwise-salt',
      })
    })
    afterAll(async () => {
      await strict?.close()
      await open?.close()
      await drop?.()
      await remote.stop()
    })

    const fresh = () => {
      remote.reset()
      remote.reply = (req) => (req.url.endsWith('/sector.json') ? { status: 200, body: [CB] } : { status: 404, raw: '' })
    }
    const refusedFor = (res: { statusCode: number; body: string; json(): unknown }, field: string) => {
      expect(res.statusCode, res.body).toBe(400)
      const body = res.json() as { error: string; error_description: string }
      expect(body.error).toBe('invalid_client_metadata')
      expect(body.error_description).toContain(`Field ${field} points to a private`)
    }

    it('refuses admin-registered URLs at private addresses, by literal or by name', async () => {
      fresh()
      const create = (extra: Record<string, unknown>) =>
        strict.admin.inject({ method: 'POST', url: '/admin/clients', payload: { redirect_uris: [CB], ...extra } })
      refusedFor(await create({ jwks_uri: `${remote.url}/jwks` }), 'jwks_uri')
      refusedFor(await create({ jwks_uri: 'http://localhost:8080/jwks' }), 'jwks_uri')
      refusedFor(await create({ request_uris: ['https://[::ffff:169.254.169.254]/r'] }), 'request_uris')
      refusedFor(await create({ backchannel_logout_uri: 'http://10.0.0.5/logout' }), 'backchannel_logout_uri')
      refusedFor(await create({ subject_type: 'pairwise', sector_identifier_uri: `${remote.url}/sector.json` }), 'sector_identifier_uri')
      // Refused before anything was fetched.
      expect(remote.requests).toEqual([])
      const update = await strict.admin.inject({ method: 'POST', url: '/admin/clients', payload: { redirect_uris: [CB] } })
      expect(update.statusCode).toBe(201)
      const id = (update.json() as { client_id: string }).client_id
      refusedFor(
        await strict.admin.inject({ method: 'PUT', url: `/admin/clients/${id}`, payload: { redirect_uris: [CB], jwks_uri: 'http://127.0.0.1/jwks' } }),
        'jwks_uri',
      )
    })

    it('lets exception URLs through, fetched too', async () => {
      fresh()
      const res = await strict.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        payload: { redirect_uris: [CB], subject_type: 'pairwise', sector_identifier_uri: `${remote.url}/allowed/sector.json`, jwks_uri: `${remote.url}/allowed/jwks` },
      })
      expect(res.statusCode, res.body).toBe(201)
      expect(remote.requests.map((r) => r.url)).toEqual(['/allowed/sector.json'])
    })

    it('refuses the same at dynamic registration', async () => {
      const res = await strict.public.inject({ method: 'POST', url: '/oauth2/register', payload: { redirect_uris: [CB], jwks_uri: `${remote.url}/jwks` } })
      refusedFor(res, 'jwks_uri')
    })

    it('refuses to fetch the request_uri of a client registered before the setting was on', async () => {
      const pub = { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'k', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pM5W1lt3P2Jb_r0s' }
      const made = await open.admin.inject({
        method: 'POST',
        url: '/admin/clients',
        payload: { redirect_uris: [CB], request_uris: [`${remote.url}/request.jwt`], jwks: { keys: [pub] }, response_types: ['code'] },
      })
      expect(made.statusCode, made.body).toBe(201)
      const id = (made.json() as { client_id: string }).client_id
      fresh()
      const q = new URLSearchParams({ client_id: id, response_type: 'code', scope: 'openid', redirect_uri: CB, state: 'state-123456', request_uri: `${remote.url}/request.jwt` })
      const res = await strict.public.inject({ method: 'GET', url: `/oauth2/auth?${q}` })
      expect(remote.requests).toEqual([])
      const where = new URL(String(res.headers.location ?? 'http://none/'))
      expect(where.searchParams.get('error') ?? (res.json() as { error: string }).error).toBe('invalid_request_uri')
      expect(`${where.searchParams.get('error_description') ?? ''} ${res.body}`).not.toMatch(/404|127\.0\.0\.1/)
    })
  })
}
