// The janitor on every configured database: what each kind removes, what it keeps, and how
// batch size and limit bound the work.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { newFlowId } from '../../src/flow/codec.js'
import { FlowState, type Flow } from '../../src/flow/model.js'
import { planJanitor, runJanitor, type JanitorPlanOptions } from '../../src/janitor/janitor.js'
import type { JanitorKind, JanitorStore, StepResult } from '../../src/janitor/model.js'
import type { Db } from '../../src/persistence/db.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { SqlFlowStore } from '../../src/persistence/sql/flow-store.js'
import { SqlJanitorStore, firstNetwork } from '../../src/persistence/sql/janitor-store.js'
import { migratedDb, testDatabases } from '../support/databases.js'
import { sampleClient, sampleFlow } from '../support/fixtures.js'
import { HOUR, ago, bulkInsertAccess, countRows, tokenRow } from './seed.js'

const TTL = { accessToken: HOUR, refreshToken: 720 * HOUR, authCode: 10 * 60_000, loginConsentRequest: 30 * 60_000 }

const flow = (clientId: string, over: Partial<Flow>): Flow =>
  sampleFlow(clientId, { requestedAt: new Date(), requestedAudience: [], oidcContext: {}, subject: 'alice', ...over })

const removedOf = (results: StepResult[], label: string) => results.find((r) => r.step.label === label)?.removed

for (const t of testDatabases()) {
  describe(`janitor on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let nid: string
    let clientId: string
    let store: SqlJanitorStore

    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      nid = (await firstNetwork(db))!
      clientId = (await new SqlClientStore(db.kysely, nid).create(sampleClient())).client_id
      // seed.ts's default client id: token rows reference their client.
      await new SqlClientStore(db.kysely, nid).create(sampleClient({ client_id: 'janitor-client' }))
    })
    afterAll(async () => cleanup())
    beforeEach(async () => {
      store = new SqlJanitorStore(db, nid)
      for (const table of [
        'hydra_oauth2_access',
        'hydra_oauth2_refresh',
        'hydra_oauth2_code',
        'hydra_oauth2_jti_blacklist',
        'orthrus_dpop_jti',
        'hydra_oauth2_flow',
        'hydra_oauth2_logout_request',
        'hydra_oauth2_trusted_jwt_bearer_issuer',
      ] as const) {
        await db.kysely.deleteFrom(table).execute()
      }
    })

    const run = (kinds: JanitorKind[], over: Partial<JanitorPlanOptions> = {}, limit = 100_000, batchSize = 100, s: JanitorStore = store) =>
      runJanitor(s, planJanitor({ kinds, now: new Date(), keepIfYounger: 0, ttl: TTL, ...over }), { limit, batchSize })

    const signatures = async (table: 'hydra_oauth2_access' | 'hydra_oauth2_refresh' | 'hydra_oauth2_code' | 'hydra_oauth2_jti_blacklist' | 'orthrus_dpop_jti') =>
      (await db.kysely.selectFrom(table).select('signature').orderBy('signature').execute()).map((r) => r.signature)

    it('--tokens removes expired and revoked tokens, codes and jtis and keeps valid ones', async () => {
      const k = db.kysely
      await k.insertInto('hydra_oauth2_access').values([
        tokenRow(nid, 'a-expired', { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR) }),
        tokenRow(nid, 'a-valid', { requestedAt: ago(10 * 60_000), expiresAt: ago(-HOUR) }),
        // A client with a longer lifespan: its own expiry counts, not ttl.access_token.
        tokenRow(nid, 'a-long-lived', { requestedAt: ago(5 * HOUR), expiresAt: ago(-HOUR) }),
        tokenRow(nid, 'a-inactive', { requestedAt: ago(60_000), expiresAt: ago(-HOUR), active: false }),
      ]).execute()
      await k.insertInto('hydra_oauth2_refresh').values([
        { ...tokenRow(nid, 'r-expired', { requestedAt: ago(800 * HOUR), expiresAt: ago(80 * HOUR) }), first_used_at: null, access_token_signature: null, used_times: null },
        { ...tokenRow(nid, 'r-valid', { requestedAt: ago(HOUR), expiresAt: ago(-700 * HOUR) }), first_used_at: null, access_token_signature: null, used_times: null },
        // Rotated, not yet expired: kept so that presenting it again is still detected as reuse.
        { ...tokenRow(nid, 'r-used', { requestedAt: ago(HOUR), expiresAt: ago(-700 * HOUR), active: false }), first_used_at: ago(HOUR), access_token_signature: null, used_times: 1 },
        // Never expires (ttl.refresh_token -1): kept while active, removed once inactive.
        { ...tokenRow(nid, 'r-forever', { requestedAt: ago(2000 * HOUR), expiresAt: null }), first_used_at: null, access_token_signature: null, used_times: null },
        { ...tokenRow(nid, 'r-forever-revoked', { requestedAt: ago(HOUR), expiresAt: null, active: false }), first_used_at: null, access_token_signature: null, used_times: null },
      ]).execute()
      await k.insertInto('hydra_oauth2_code').values([
        { ...tokenRow(nid, 'c-expired', { requestedAt: ago(HOUR), expiresAt: ago(50 * 60_000), clientId }), code_challenge: null, code_challenge_method: null },
        { ...tokenRow(nid, 'c-used-valid', { requestedAt: ago(60_000), expiresAt: ago(-9 * 60_000), active: false, clientId }), code_challenge: 'x', code_challenge_method: 'S256' },
      ]).execute()
      await k.insertInto('hydra_oauth2_jti_blacklist').values([
        { signature: 'j-expired', nid, expires_at: ago(60_000) },
        { signature: 'j-valid', nid, expires_at: ago(-60_000) },
      ]).execute()
      await k.insertInto('orthrus_dpop_jti').values([
        { signature: 'd-expired', nid, expires_at: ago(60_000) },
        { signature: 'd-valid', nid, expires_at: ago(-60_000) },
      ]).execute()

      const results = await run(['tokens'], { ttl: { ...TTL, refreshToken: -1 } })
      // The fifth step: presented DPoP proofs (RFC 9449), kept until they expire.
      expect(results.map((r) => r.step.kind)).toEqual(['tokens', 'tokens', 'tokens', 'tokens', 'tokens'])
      expect(await signatures('orthrus_dpop_jti')).toEqual(['d-valid'])
      expect(removedOf(results, 'used DPoP proof jtis')).toBe(1)
      expect(await signatures('hydra_oauth2_access')).toEqual(['a-long-lived', 'a-valid'])
      expect(await signatures('hydra_oauth2_refresh')).toEqual(['r-forever', 'r-used', 'r-valid'])
      expect(await signatures('hydra_oauth2_code')).toEqual(['c-used-valid'])
      expect(await signatures('hydra_oauth2_jti_blacklist')).toEqual(['j-valid'])
      expect(removedOf(results, 'access tokens')).toBe(2)
      expect(removedOf(results, 'refresh tokens')).toBe(2)
      expect(removedOf(results, 'authorization codes')).toBe(1)
      expect(removedOf(results, 'used assertion jtis')).toBe(1)
      // Other kinds were not touched.
      expect(results.some((r) => r.step.kind !== 'tokens')).toBe(false)
    })

    it('--keep-if-younger keeps expired rows younger than the cut-off', async () => {
      await db.kysely.insertInto('hydra_oauth2_access').values([
        tokenRow(nid, 'recent', { requestedAt: ago(2 * HOUR), expiresAt: ago(HOUR) }),
        tokenRow(nid, 'old', { requestedAt: ago(30 * HOUR), expiresAt: ago(29 * HOUR) }),
      ]).execute()
      await run(['tokens'], { keepIfYounger: 24 * HOUR })
      expect(await signatures('hydra_oauth2_access')).toEqual(['recent'])
      await run(['tokens'])
      expect(await signatures('hydra_oauth2_access')).toEqual([])
    })

    it('an explicit --access-lifespan removes tokens requested longer ago, as Hydra does', async () => {
      await db.kysely.insertInto('hydra_oauth2_access').values([
        tokenRow(nid, 'long-lived', { requestedAt: ago(5 * HOUR), expiresAt: ago(-HOUR) }),
        tokenRow(nid, 'young', { requestedAt: ago(10 * 60_000), expiresAt: ago(-HOUR) }),
      ]).execute()
      await run(['tokens'])
      expect(await signatures('hydra_oauth2_access')).toEqual(['long-lived', 'young'])
      await run(['tokens'], { accessLifespan: 2 * HOUR })
      expect(await signatures('hydra_oauth2_access')).toEqual(['young'])
    })

    it('--requests removes unhandled and rejected flows and expired logout requests, and keeps used consents', async () => {
      const flows = new SqlFlowStore(db.kysely, nid)
      const denied = { error: 'access_denied', error_description: 'no', error_hint: '', error_debug: '', status_code: 403 }
      const old = ago(2 * HOUR)
      const made = {
        abandoned: flow(clientId, { requestedAt: old }),
        consentPending: flow(clientId, { requestedAt: old, state: FlowState.ConsentInitialized, consentChallengeId: newFlowId() }),
        loginRejected: flow(clientId, { requestedAt: old, state: FlowState.LoginError, loginError: denied }),
        consentRejectedUsed: flow(clientId, { requestedAt: old, state: FlowState.ConsentUsed, consentError: denied, consentChallengeId: newFlowId() }),
        accepted: flow(clientId, { requestedAt: old, state: FlowState.ConsentUsed, consentWasUsed: true, consentChallengeId: newFlowId() }),
        fresh: flow(clientId, { requestedAt: ago(60_000) }),
      }
      for (const f of Object.values(made)) await flows.createFlow(f)
      const logout = (challenge: string, expiresAt: Date) => ({
        challenge, nid, subject: 'alice', sid: 'sid', client_id: null, request_url: 'https://a/logout', redir_url: 'https://a/',
        csrf: 'c', rp_initiated: true, accepted: false, rejected: false, was_used: false, requested_at: ago(2 * HOUR), expires_at: expiresAt,
      })
      await db.kysely.insertInto('hydra_oauth2_logout_request').values([logout('l-expired', ago(HOUR)), logout('l-valid', ago(-HOUR))]).execute()
      await db.kysely.insertInto('hydra_oauth2_access').values(tokenRow(nid, 'untouched', { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR) })).execute()

      const results = await run(['requests'])
      const left = (await db.kysely.selectFrom('hydra_oauth2_flow').select('login_challenge').execute()).map((r) => r.login_challenge).sort()
      expect(left).toEqual([made.accepted.id, made.fresh.id].sort())
      expect((await db.kysely.selectFrom('hydra_oauth2_logout_request').select('challenge').execute()).map((r) => r.challenge)).toEqual(['l-valid'])
      expect(removedOf(results, 'login and consent requests')).toBe(4)
      expect(removedOf(results, 'logout requests')).toBe(1)
      // --requests leaves tokens alone.
      expect(await signatures('hydra_oauth2_access')).toEqual(['untouched'])

      // A shorter --consent-request-lifespan reaches the fresh, unhandled flow too.
      await run(['requests'], { consentRequestLifespan: 30_000 })
      const after = (await db.kysely.selectFrom('hydra_oauth2_flow').select('login_challenge').execute()).map((r) => r.login_challenge)
      expect(after).toEqual([made.accepted.id])
    })

    it('--grants removes expired trust relationships and keeps live ones', async () => {
      const trust = (issuer: string, expiresAt: Date) => ({
        id: randomUUID(), nid, issuer, subject: 'alice', allow_any_subject: false, scope: '[]', key_set: issuer, key_id: 'k1',
        key_data: 'sealed', created_at: ago(10 * HOUR), expires_at: expiresAt,
      })
      await db.kysely.insertInto('hydra_oauth2_trusted_jwt_bearer_issuer').values([trust('https://expired', ago(HOUR)), trust('https://live', ago(-HOUR))]).execute()
      const results = await run(['grants'])
      expect(removedOf(results, 'trust relationships')).toBe(1)
      const left = await db.kysely.selectFrom('hydra_oauth2_trusted_jwt_bearer_issuer').select('issuer').execute()
      expect(left.map((r) => r.issuer)).toEqual(['https://live'])
    })

    it('--requests removes expired device authorizations and verifications', async () => {
      // hydra_oauth2_device_* arrive with migration 0009; nothing to check where they are absent.
      if (!(await store.hasTarget('device'))) return
      const k = db.kysely
      const device = (sig: string, expiresAt: Date) => ({
        device_code_signature: sig, nid, user_code_signature: `u-${sig}`, request_id: randomUUID(), requested_at: ago(HOUR), client_id: clientId,
        scope: 'openid', granted_scope: '', requested_audience: '', granted_audience: '', form_data: '', session_data: 'sealed', subject: '',
        status: 0, user_code_state: 0, challenge_id: null, polling_interval: 5, last_polled_at: null, expires_at: expiresAt,
      })
      await k.deleteFrom('hydra_oauth2_device_auth_codes').execute()
      await k.deleteFrom('hydra_oauth2_device_challenge').execute()
      await k.insertInto('hydra_oauth2_device_auth_codes').values([device('d-expired', ago(30 * 60_000)), device('d-live', ago(-5 * 60_000))]).execute()
      const challenge = (id: string, expiresAt: Date) => ({
        id, nid, csrf: 'c', state: 0, failed_attempts: 0, device_code_signature: null, requested_at: ago(HOUR), expires_at: expiresAt,
      })
      await k.insertInto('hydra_oauth2_device_challenge').values([challenge('v-expired', ago(60_000)), challenge('v-live', ago(-60_000))]).execute()
      const results = await run(['requests'])
      expect(removedOf(results, 'device authorization codes')).toBe(1)
      expect(removedOf(results, 'device verifications')).toBe(1)
      expect((await k.selectFrom('hydra_oauth2_device_auth_codes').select('device_code_signature').execute()).map((r) => r.device_code_signature)).toEqual(['d-live'])
      expect((await k.selectFrom('hydra_oauth2_device_challenge').select('id').execute()).map((r) => r.id)).toEqual(['v-live'])
    })

    it('--requests removes expired pushed authorization requests (RFC 9126)', async () => {
      if (!(await store.hasTarget('par'))) return
      const k = db.kysely
      const par = (signature: string, expiresAt: Date) => ({
        signature, nid, client_id: clientId, request_data: 'sealed', used: false, requested_at: ago(HOUR), expires_at: expiresAt,
      })
      await k.deleteFrom('orthrus_oauth2_par').execute()
      await k.insertInto('orthrus_oauth2_par').values([par('p-expired', ago(60_000)), par('p-live', ago(-60_000))]).execute()
      const results = await run(['requests'])
      expect(removedOf(results, 'pushed authorization requests')).toBe(1)
      expect((await k.selectFrom('orthrus_oauth2_par').select('signature').execute()).map((r) => r.signature)).toEqual(['p-live'])
    })

    it('a table this database does not have is a skip, not a failure', async () => {
      const results = await run(['requests'])
      const device = results.find((r) => r.step.target === 'device')!
      if (await store.hasTarget('device')) {
        expect(device.skipped).toBeUndefined()
      } else {
        expect(device.skipped).toMatch(/does not exist/)
        expect(device.removed).toBe(0)
      }
      // A database where the trust table is really absent (as before migration 0008).
      const other = await migratedDb(t)
      try {
        await other.db.kysely.schema.dropTable('hydra_oauth2_trusted_jwt_bearer_issuer').execute()
        const otherStore = new SqlJanitorStore(other.db, (await firstNetwork(other.db))!)
        const [trust] = await run(['grants'], {}, 100, 10, otherStore)
        expect(trust).toMatchObject({ removed: 0, skipped: expect.stringMatching(/does not exist/) })
      } finally {
        await other.cleanup()
      }
      const missing: JanitorStore = { hasTarget: async () => false, deleteBatch: () => Promise.reject(new Error('must not be called')) }
      const all = await run(['tokens', 'requests', 'grants'], {}, 100, 10, missing)
      expect(all.every((r) => r.skipped !== undefined && r.removed === 0)).toBe(true)
    })

    it('deletes in batches of --batch-size and stops at --limit rows per kind', async () => {
      await bulkInsertAccess(db.kysely, nid, 250, { requestedAt: ago(3 * HOUR), expiresAt: ago(2 * HOUR) })
      await db.kysely.insertInto('hydra_oauth2_jti_blacklist').values({ signature: 'j-old', nid, expires_at: ago(HOUR) }).execute()
      const sizes: number[] = []
      const counting: JanitorStore = {
        hasTarget: (target) => store.hasTarget(target),
        async deleteBatch(target, rule, batchSize, after) {
          const r = await store.deleteBatch(target, rule, batchSize, after)
          if (target === 'access') sizes.push(r.deleted)
          return r
        },
      }
      const results = await run(['tokens'], {}, 120, 50, counting)
      expect(removedOf(results, 'access tokens')).toBe(120)
      expect(sizes).toEqual([50, 50, 20])
      // The limit is per kind: the access tokens used it up, so the jti waits for the next run.
      expect(removedOf(results, 'used assertion jtis')).toBe(0)
      expect(await countRows(db.kysely, 'hydra_oauth2_access')).toBe(130)

      sizes.length = 0
      const again = await run(['tokens'], {}, 1000, 50, counting)
      expect(removedOf(again, 'access tokens')).toBe(130)
      expect(sizes.every((n) => n <= 50)).toBe(true)
      expect(removedOf(again, 'used assertion jtis')).toBe(1)
      expect(await countRows(db.kysely, 'hydra_oauth2_access')).toBe(0)
    })

    it('rejects a zero limit or batch size', async () => {
      await expect(run(['tokens'], {}, 0, 10)).rejects.toThrow(/greater than 0/)
      await expect(run(['tokens'], {}, 10, 0)).rejects.toThrow(/greater than 0/)
    })
  })
}
