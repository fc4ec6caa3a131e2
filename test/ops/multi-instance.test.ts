// Horizontal scale: three `orthrus serve all` processes on one PostgreSQL schema, as behind a
// round-robin load balancer with no sticky sessions. Every step of every flow goes to the next
// instance; the instances share nothing but the database and their configuration. Also checks
// the documented cache bounds: a changed client secret and a rotated signing key reach the
// other instances within 5 s.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import {
  CONSENT_URL,
  CookieJar,
  ISSUER,
  LOGIN_URL,
  REDIRECT_URI,
  adminJson,
  basic,
  browse,
  clientCredentials,
  createClient,
  form,
  introspect,
  migrate,
  startInstance,
  within,
  type ServerProcess,
} from './helpers.js'

const postgres = testDatabases().find((t) => t.name === 'postgres')
if (!postgres) console.log('multi-instance: skipped (set TEST_DATABASE_POSTGRESQL to run three instances on one PostgreSQL schema)')

/** The documented bound of the client and key caches, plus scheduling slack on a busy machine. */
const CACHE_BOUND_MS = 6_000

describe.skipIf(!postgres)('three instances on one PostgreSQL database', () => {
  let drop: () => Promise<void> = async () => undefined
  let instances: ServerProcess[] = []
  let A: ServerProcess
  let B: ServerProcess
  let C: ServerProcess

  beforeAll(async () => {
    const db = await (postgres as NonNullable<typeof postgres>).create()
    drop = db.drop
    await migrate(db.dsn)
    // All three at once: the first start creates the well-known signing keys, and the race
    // between the instances must end with one key per set.
    instances = await Promise.all([startInstance(db.dsn), startInstance(db.dsn), startInstance(db.dsn)])
    ;[A, B, C] = instances as [ServerProcess, ServerProcess, ServerProcess]
  }, 90_000)

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()))
    await drop()
  })

  it('starts together with one signing key per well-known set and the same JWKS everywhere', async () => {
    for (const set of ['hydra.openid.id-token', 'hydra.jwt.access-token']) {
      const res = await adminJson(B.adminUrl, 'GET', `/admin/keys/${set}`)
      expect(res.status).toBe(200)
      expect((res.json as JSONWebKeySet).keys).toHaveLength(1)
    }
    const sets = await Promise.all(instances.map(async (i) => (await (await fetch(`${i.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet))
    expect(sets[0]?.keys).toHaveLength(2)
    expect(sets[1]).toEqual(sets[0])
    expect(sets[2]).toEqual(sets[0])
    for (const i of instances) {
      expect((await fetch(`${i.publicUrl}/health/ready`)).status).toBe(200)
      expect((await fetch(`${i.adminUrl}/health/alive`)).status).toBe(200)
    }
  })

  it('issues, introspects and revokes a client_credentials token across instances', async () => {
    const client = await createClient(A.adminUrl, { grant_types: ['client_credentials'], scope: 'read write' })
    const issued = await clientCredentials(B.publicUrl, client, 'read')
    expect(issued.status, JSON.stringify(issued.json)).toBe(200)
    const token = String(issued.json.access_token)
    expect(await introspect(C.adminUrl, token)).toMatchObject({ active: true, client_id: client.client_id, scope: 'read' })

    const revoked = await form(`${A.publicUrl}/oauth2/revoke`, { token }, { authorization: basic(client.client_id, client.client_secret) })
    expect(revoked.status).toBe(200)
    expect(await introspect(B.adminUrl, token)).toEqual({ active: false })
    expect(await introspect(C.adminUrl, token)).toEqual({ active: false })
  })

  it('runs an authorization code flow whose every step hits the next instance', async () => {
    const client = await createClient(C.adminUrl, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline profile',
    })
    const jar = new CookieJar()
    const auth = new URLSearchParams({
      client_id: client.client_id,
      response_type: 'code',
      scope: 'openid offline',
      redirect_uri: REDIRECT_URI,
      state: 'state-0123456789',
      nonce: 'nonce-0123456789',
    })
    // authorize on A
    const toLogin = await browse(jar, A.publicUrl, `/oauth2/auth?${auth.toString()}`)
    expect(toLogin.status).toBe(302)
    expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
    const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''

    // the login app asks B
    const login = await adminJson(B.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(loginChallenge)}`)
    expect(login.status).toBe(200)
    expect(login.json).toMatchObject({ client: { client_id: client.client_id }, skip: false })
    const accepted = await adminJson(B.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(loginChallenge)}`, {
      subject: 'scaled-user',
    })
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200)

    // the browser follows the login verifier to C
    const toConsent = await browse(jar, C.publicUrl, (accepted.json as { redirect_to: string }).redirect_to)
    expect(toConsent.status).toBe(302)
    expect(toConsent.location.startsWith(CONSENT_URL), toConsent.location).toBe(true)
    const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''

    // the consent app asks C
    const consent = await adminJson(C.adminUrl, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`)
    expect(consent.status).toBe(200)
    expect(consent.json).toMatchObject({ subject: 'scaled-user', requested_scope: ['openid', 'offline'] })
    const granted = await adminJson(C.adminUrl, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
      grant_scope: ['openid', 'offline'],
      session: { id_token: { name: 'Scaled User' } },
    })
    expect(granted.status, JSON.stringify(granted.json)).toBe(200)

    // the browser follows the consent verifier to A and lands at the client with a code
    const callback = await browse(jar, A.publicUrl, (granted.json as { redirect_to: string }).redirect_to)
    expect(callback.status).toBe(303)
    expect(callback.location.startsWith(`${REDIRECT_URI}?`), callback.location).toBe(true)
    const params = new URL(callback.location).searchParams
    expect(params.get('state')).toBe('state-0123456789')
    const code = params.get('code') ?? ''

    // code exchange on B
    const auth2 = { authorization: basic(client.client_id, client.client_secret) }
    const tokens = await form(`${B.publicUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, auth2)
    expect(tokens.status, JSON.stringify(tokens.json)).toBe(200)
    expect(tokens.json).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
    // The code is spent everywhere, not just where it was exchanged.
    const replay = await form(`${C.publicUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, auth2)
    expect(replay.json.error).toBe('invalid_grant')

    // The ID token verifies against the JWKS of every instance.
    const idToken = String(tokens.json.id_token)
    for (const i of [A, B, C]) {
      const jwks = (await (await fetch(`${i.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet
      const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: ISSUER, audience: client.client_id })
      expect(payload).toMatchObject({ sub: 'scaled-user', nonce: 'nonce-0123456789', name: 'Scaled User' })
    }

    // The replayed code revoked what it had issued (RFC 6749 §4.1.2), wherever it was issued.
    expect(await introspect(A.adminUrl, String(tokens.json.access_token))).toEqual({ active: false })
  })

  it('refreshes on one instance and reads /userinfo on another', async () => {
    const client = await createClient(A.adminUrl, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline',
    })
    const jar = new CookieJar()
    const auth = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: 'state-abcdefghij' })
    const toLogin = await browse(jar, A.publicUrl, `/oauth2/auth?${auth.toString()}`)
    const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
    const accepted = await adminJson(B.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(loginChallenge)}`, {
      subject: 'user-2',
      remember: true,
    })
    const toConsent = await browse(jar, C.publicUrl, (accepted.json as { redirect_to: string }).redirect_to)
    const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
    const granted = await adminJson(A.adminUrl, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
      grant_scope: ['openid', 'offline'],
      session: { id_token: { email: 'user-2@example.com' } },
    })
    const callback = await browse(jar, B.publicUrl, (granted.json as { redirect_to: string }).redirect_to)
    expect(callback.status).toBe(303)
    const code = new URL(callback.location).searchParams.get('code') ?? ''
    const headers = { authorization: basic(client.client_id, client.client_secret) }

    const first = await form(`${C.publicUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, headers)
    expect(first.status, JSON.stringify(first.json)).toBe(200)
    const refreshed = await form(`${A.publicUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) }, headers)
    expect(refreshed.status, JSON.stringify(refreshed.json)).toBe(200)
    expect(refreshed.json.access_token).not.toBe(first.json.access_token)

    const info = await fetch(`${B.publicUrl}/userinfo`, { headers: { authorization: `Bearer ${String(refreshed.json.access_token)}` } })
    expect(info.status).toBe(200)
    expect(await info.json()).toMatchObject({ sub: 'user-2', email: 'user-2@example.com' })

    // The rotated refresh token is spent on every instance.
    const reuse = await form(`${C.publicUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) }, headers)
    expect(reuse.json.error).toBe('invalid_grant')

    // The second flow of the same browser: the login session remembered on C is known to B.
    const again = await browse(jar, B.publicUrl, `/oauth2/auth?${auth.toString()}`)
    const challenge2 = new URL(again.location).searchParams.get('login_challenge') ?? ''
    const login2 = await adminJson(C.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge2)}`)
    expect(login2.json).toMatchObject({ skip: true, subject: 'user-2' })
  })

  it('stops accepting a changed client secret on the other instances within the cache bound', async () => {
    const client = await createClient(A.adminUrl, { grant_types: ['client_credentials'] })
    // B and C now hold the client (and the verified secret) in their caches.
    for (const i of [B, C]) expect((await clientCredentials(i.publicUrl, client)).status).toBe(200)

    const changed = await adminJson(A.adminUrl, 'PATCH', `/admin/clients/${client.client_id}`, [
      { op: 'replace', path: '/client_secret', value: 'a-brand-new-secret-0123456789' },
    ])
    expect(changed.status, JSON.stringify(changed.json)).toBe(200)
    const changedAt = Date.now()
    // The instance that wrote the change drops its copy at once.
    expect((await clientCredentials(A.publicUrl, client)).status).toBe(401)

    const refusedAfter = await Promise.all(
      [B, C].map(async (i) => {
        await within(CACHE_BOUND_MS + 2_000, async () => (await clientCredentials(i.publicUrl, client)).status === 401)
        return Date.now() - changedAt
      }),
    )
    for (const ms of refusedAfter) expect(ms).toBeLessThanOrEqual(CACHE_BOUND_MS)
    for (const i of [A, B, C]) {
      expect((await clientCredentials(i.publicUrl, { ...client, client_secret: 'a-brand-new-secret-0123456789' })).status).toBe(200)
    }
  })

  it('signs with a key added on another instance within the cache bound', async () => {
    const client = await createClient(A.adminUrl, { grant_types: ['client_credentials'], access_token_strategy: 'jwt' })
    const kidOf = async (i: ServerProcess): Promise<string | undefined> => {
      const res = await clientCredentials(i.publicUrl, client)
      expect(res.status, JSON.stringify(res.json)).toBe(200)
      return decodeProtectedHeader(String(res.json.access_token)).kid
    }
    // B signs with the first key and has it cached.
    const before = await kidOf(B)
    expect(before).toBeTruthy()

    const added = await adminJson(A.adminUrl, 'POST', '/admin/keys/hydra.jwt.access-token', { alg: 'ES256', use: 'sig', kid: 'rotated-on-a' })
    expect(added.status, JSON.stringify(added.json)).toBe(201)
    const addedAt = Date.now()
    expect(await kidOf(A)).toBe('rotated-on-a')

    await within(CACHE_BOUND_MS + 2_000, async () => (await kidOf(B)) === 'rotated-on-a')
    expect(Date.now() - addedAt).toBeLessThanOrEqual(CACHE_BOUND_MS)
    // B now also publishes it, and tokens signed by the older key still introspect on C.
    const jwks = (await (await fetch(`${B.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet
    expect(jwks.keys.map((k) => k.kid)).toContain('rotated-on-a')
    const fresh = await clientCredentials(B.publicUrl, client)
    expect(await introspect(C.adminUrl, String(fresh.json.access_token))).toMatchObject({ active: true })
  })
})
