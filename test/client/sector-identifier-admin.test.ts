// sector_identifier_uri on admin-created and admin-updated clients: fetched and checked against
// every redirect_uri, as Hydra does (not only for dynamic registration).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHasher } from '../../src/crypto/hasher.js'
import { ClientService } from '../../src/client/service.js'
import { Aead } from '../../src/crypto/aead.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { SqlStorage } from '../../src/persistence/sql/storage.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { testApps, type TestApps } from '../support/app.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { FakeServer } from '../support/fake-http.js'

const A = 'http://127.0.0.1:9999/cb'
const B = 'http://127.0.0.1:9998/cb'
const PAIRWISE = { OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise', OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: 'a-long-enough-pairwise-salt' }

for (const t of testDatabases()) {
  describe(`admin clients with a sector_identifier_uri on ${t.name}`, () => {
    let env: TestApps
    const sector = new FakeServer()
    const documents: Record<string, { status: number; raw: string }> = {}

    beforeAll(async () => {
      await sector.start()
      env = await testApps(t, PAIRWISE)
    })
    afterAll(async () => {
      await env.close()
      await sector.stop()
    })
    beforeEach(() => {
      sector.reset()
      for (const k of Object.keys(documents)) delete documents[k]
      sector.reply = (req) => documents[req.url] ?? { status: 404, raw: '' }
    })

    const serve = (path: string, doc: unknown, status = 200) => {
      documents[path] = { status, raw: typeof doc === 'string' ? doc : JSON.stringify(doc) }
      return `${sector.url}${path}`
    }
    const create = (body: Record<string, unknown>) => env.admin.inject({ method: 'POST', url: '/admin/clients', payload: body })
    const refused = (res: { statusCode: number; body: string; json(): unknown }, hint: RegExp) => {
      expect(res.statusCode, res.body).toBe(400)
      const body = res.json() as { error: string; error_description: string }
      expect(body.error).toBe('invalid_client_metadata')
      expect(body.error_description).toMatch(hint)
    }

    it('creates a client whose sector document lists every redirect_uri', async () => {
      const uri = serve('/sector.json', [A, B, 'https://more.example/cb'])
      const res = await create({ subject_type: 'pairwise', redirect_uris: [A, B], sector_identifier_uri: uri })
      expect(res.statusCode, res.body).toBe(201)
      expect(res.json()).toMatchObject({ sector_identifier_uri: uri, subject_type: 'pairwise' })
      expect(sector.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /sector.json'])
      // Also at the prefix-less admin path.
      const plain = await env.admin.inject({ method: 'POST', url: '/clients', payload: { redirect_uris: [A], sector_identifier_uri: uri } })
      expect(plain.statusCode, plain.body).toBe(201)
    })

    it('refuses a document that misses a redirect_uri, is not a list, or cannot be fetched', async () => {
      const base = { subject_type: 'pairwise', redirect_uris: [A, B] }
      refused(await create({ ...base, sector_identifier_uri: serve('/partial.json', [A]) }), /not listed in the document at sector_identifier_uri/)
      // Every unusable answer reads the same: registration tells nothing of what a URL answers.
      const unusable = /^[^]*The sector_identifier_uri could not be fetched as a JSON array of URLs\.$/
      const answers = [
        await create({ ...base, sector_identifier_uri: serve('/object.json', { uris: [A, B] }) }),
        await create({ ...base, sector_identifier_uri: serve('/broken.json', '[not json') }),
        await create({ ...base, sector_identifier_uri: serve('/gone.json', [A, B], 500) }),
        await create({ ...base, sector_identifier_uri: `${sector.url}/missing.json` }),
        await create({ ...base, sector_identifier_uri: 'http://127.0.0.1:9/nothing-listens-here' }),
      ]
      for (const res of answers) {
        refused(res, unusable)
        // The texts only: the body's request_id is a random UUID, which may hold "500" or "404".
        const { error_description, error_hint } = res.json() as { error_description: string; error_hint?: string }
        expect(`${error_description} ${error_hint ?? ''}`).not.toMatch(/500|404|JSON\b(?! array)|ECONNREFUSED/)
      }
      expect(new Set(answers.map((r) => (r.json() as { error_description: string }).error_description)).size, answers.map((r) => r.body).join("\n")).toBe(1)
      expect(sector.requests.map((r) => r.url)).toEqual(['/partial.json', '/object.json', '/broken.json', '/gone.json', '/missing.json'])
      // Nothing was stored.
      const list = await env.admin.inject({ method: 'GET', url: '/admin/clients?page_size=500' })
      expect((list.json() as Array<{ sector_identifier_uri: string }>).filter((c) => c.sector_identifier_uri.includes('/partial.json'))).toEqual([])
    })

    it('checks again on PUT and PATCH', async () => {
      const uri = serve('/update.json', [A])
      const made = await create({ redirect_uris: [A], sector_identifier_uri: uri })
      expect(made.statusCode, made.body).toBe(201)
      const id = made.json().client_id as string

      const put = await env.admin.inject({ method: 'PUT', url: `/admin/clients/${id}`, payload: { redirect_uris: [A, B], sector_identifier_uri: uri } })
      refused(put, /"http:\/\/127\.0\.0\.1:9998\/cb" is not listed/)
      const patch = await env.admin.inject({ method: 'PATCH', url: `/admin/clients/${id}`, payload: [{ op: 'add', path: '/redirect_uris/-', value: B }] })
      refused(patch, /is not listed/)
      const stored = await env.admin.inject({ method: 'GET', url: `/admin/clients/${id}` })
      expect(stored.json().redirect_uris).toEqual([A])

      // Once the document lists the new URI, both work.
      serve('/update.json', [A, B])
      const patched = await env.admin.inject({ method: 'PATCH', url: `/admin/clients/${id}`, payload: [{ op: 'add', path: '/redirect_uris/-', value: B }] })
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json().redirect_uris).toEqual([A, B])
      const replaced = await env.admin.inject({ method: 'PUT', url: `/admin/clients/${id}`, payload: { redirect_uris: [B], sector_identifier_uri: uri } })
      expect(replaced.statusCode, replaced.body).toBe(200)
      // Dropping the sector identifier needs no fetch.
      const before = sector.requests.length
      const cleared = await env.admin.inject({ method: 'PATCH', url: `/admin/clients/${id}`, payload: [{ op: 'replace', path: '/sector_identifier_uri', value: '' }] })
      expect(cleared.statusCode, cleared.body).toBe(200)
      expect(sector.requests.length).toBe(before)
    })
  })

  describe(`ClientService sector checks outside dev mode on ${t.name}`, () => {
    let cleanup: () => Promise<void>
    let service: ClientService
    const fetched: string[] = []
    let doc = ''

    beforeAll(async () => {
      const m = await migratedDb(t)
      cleanup = m.cleanup
      const nid = await networkId(m.db)
      service = new ClientService({
        clients: new SqlClientStore(m.db.kysely, nid),
        units: new SqlStorage(m.db, nid, new Aead(['a-test-system-secret-of-32-chars!'])),
        hasher: createHasher({ algorithm: 'pbkdf2', bcrypt: { cost: 4 }, pbkdf2: { iterations: 1000 } }),
        dev: false,
        subjectTypes: ['public', 'pairwise'],
        fetchSector: async (uri) => {
          fetched.push(uri)
          return doc
        },
      })
    })
    afterAll(async () => cleanup())

    const rejection = async (p: Promise<unknown>): Promise<OAuthError> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(e).toBeInstanceOf(OAuthError)
      return e as OAuthError
    }

    it('needs https and uses the injected fetcher', async () => {
      const redirect = 'https://app.example/cb'
      doc = JSON.stringify([redirect])
      const http = await rejection(service.create({ redirect_uris: [redirect], sector_identifier_uri: 'http://sector.example/ids.json' }))
      expect(http.error).toBe('invalid_client_metadata')
      expect(http.status).toBe(400)
      expect(fetched).toEqual([])

      const ok = await service.create({ subject_type: 'pairwise', redirect_uris: [redirect], sector_identifier_uri: 'https://sector.example/ids.json' })
      expect(ok.client.sector_identifier_uri).toBe('https://sector.example/ids.json')
      expect(fetched).toEqual(['https://sector.example/ids.json'])

      doc = JSON.stringify(['https://other.example/cb'])
      const missing = await rejection(service.replace(ok.client.client_id, { redirect_uris: [redirect], sector_identifier_uri: 'https://sector.example/ids.json' }))
      expect(missing.error).toBe('invalid_client_metadata')
      expect(missing.hint).toMatch(/is not listed/)
    })
  })
}
