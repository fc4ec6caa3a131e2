// The flow, session and code tables on every configured database: round trips, conditional
// transitions, and single use under concurrency.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Aead } from '../../src/crypto/aead.js'
import { newFlowId } from '../../src/flow/codec.js'
import { CONSENT_DECIDED, FlowState, LOGIN_DECIDED, type Flow } from '../../src/flow/model.js'
import type { AuthorizeCodeRecord } from '../../src/oauth2/code-store.js'
import type { Db } from '../../src/persistence/db.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { SqlAuthorizeCodeStore } from '../../src/persistence/sql/code-store.js'
import { SqlFlowStore } from '../../src/persistence/sql/flow-store.js'
import { SqlStorage } from '../../src/persistence/sql/storage.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { sampleClient, sampleFlow } from '../support/fixtures.js'

const aead = new Aead(['a-test-system-secret-of-32-chars!'])
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s))

const flow = (clientId: string, over: Partial<Flow> = {}): Flow => sampleFlow(clientId, { requestedAt: at(0), ...over })

for (const t of testDatabases()) {
  describe(`flow store on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let store: SqlFlowStore
    let codes: SqlAuthorizeCodeStore
    let units: SqlStorage
    let clientId: string
    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      const nid = await networkId(db)
      store = new SqlFlowStore(db.kysely, nid)
      units = new SqlStorage(db, nid, aead)
      codes = new SqlAuthorizeCodeStore(db.kysely, nid, aead)
      clientId = (await new SqlClientStore(db.kysely, nid).create(sampleClient())).client_id
    })
    afterAll(async () => cleanup())

    it('stores a flow and reads every field back', async () => {
      const f = flow(clientId, { loginError: { error: 'e', error_description: 'd', error_hint: '', error_debug: '', status_code: 400 }, context: { a: [1] } })
      await store.createFlow(f)
      expect(await store.getFlow(f.id)).toEqual(f)
      expect(await store.getFlow(newFlowId())).toBeUndefined()
    })

    it('applies a transition only from the given states, once under concurrency', async () => {
      const f = flow(clientId, { state: FlowState.LoginUnused, loginAuthenticatedAt: at(1) })
      await store.createFlow(f)
      expect(await store.transition(f.id, [FlowState.ConsentUnused], { subject: 'x' })).toBe(false)
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.transition(f.id, LOGIN_DECIDED, { state: FlowState.LoginUsed, loginWasUsed: true })),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await store.getFlow(f.id))?.state).toBe(FlowState.LoginUsed)
    })

    it('finds the newest remembered consent of a subject, and only a real one', async () => {
      const consent = (over: Partial<Flow>) =>
        flow(clientId, {
          state: FlowState.ConsentUsed, subject: 'sam', consentChallengeId: newFlowId(), consentRemember: true,
          consentWasUsed: true, consentHandledAt: at(5), grantedScope: ['openid'], ...over,
        })
      const older = consent({ requestedAt: at(1) })
      const newer = consent({ requestedAt: at(2), grantedScope: ['openid', 'offline'] })
      const skipped = consent({ requestedAt: at(3), consentSkip: true })
      const rejected = consent({ requestedAt: at(4), consentError: { error: 'x', error_description: '', error_hint: '', error_debug: '', status_code: 400 } })
      const forgotten = consent({ requestedAt: at(6), consentRemember: false })
      for (const f of [older, newer, skipped, rejected, forgotten]) await store.createFlow(f)
      expect((await store.findRememberedConsent('sam', clientId))?.id).toBe(newer.id)
      expect((await store.getFlowByConsentChallenge(newer.consentChallengeId ?? ''))?.id).toBe(newer.id)
      expect(await store.findRememberedConsent('someone-else', clientId)).toBeUndefined()
    })

    it('remembers sessions until they expire, refuses duplicates, and forgets them', async () => {
      const now = new Date()
      const id = randomUUID()
      const s = { id, subject: 'u', authenticatedAt: at(0), remember: true, identityProviderSessionId: '', expiresAt: new Date(now.getTime() + 60_000) }
      expect(await store.createSession(s)).toBe(true)
      expect(await store.createSession(s)).toBe(false)
      expect(await store.getRememberedSession(id, now)).toEqual(s)
      expect(await store.getRememberedSession(id, new Date(now.getTime() + 120_000))).toBeUndefined()
      await store.extendSession(id, new Date(now.getTime() + 600_000))
      expect(await store.getRememberedSession(id, new Date(now.getTime() + 120_000))).toBeDefined()
      const notRemembered = { ...s, id: randomUUID(), remember: false }
      await store.createSession(notRemembered)
      expect(await store.getRememberedSession(notRemembered.id, now)).toBeUndefined()
      await store.deleteSession(id)
      expect(await store.getRememberedSession(id, now)).toBeUndefined()
    })

    it('commits a transition and a code together, or neither', async () => {
      const f = flow(clientId, { state: FlowState.ConsentUnused, consentChallengeId: newFlowId() })
      await store.createFlow(f)
      const code: AuthorizeCodeRecord = {
        signature: newFlowId(), requestId: 'r', requestedAt: at(0), clientId, requestedScope: ['openid'], grantedScope: ['openid'],
        requestedAudience: [], grantedAudience: [], form: { redirect_uri: 'https://app.example.com/cb' },
        session: { accessTokenExtra: { a: 1 }, idTokenExtra: {}, authTime: 1, requestedAt: 1, acr: '', amr: [], sid: 's', nonce: '', forcedSubjectIdentifier: '', claims: '' },
        subject: 'u', active: true, challengeId: f.consentChallengeId ?? '', expiresAt: at(600), pkce: { challenge: 'c'.repeat(43), method: 'S256' },
      }
      await expect(
        units.transaction(async (tx) => {
          await tx.flows.transition(f.id, CONSENT_DECIDED, { state: FlowState.ConsentUsed })
          await tx.codes.create(code)
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect((await store.getFlow(f.id))?.state).toBe(FlowState.ConsentUnused)
      expect(await codes.get(code.signature)).toBeUndefined()

      await units.transaction(async (tx) => {
        await tx.flows.transition(f.id, CONSENT_DECIDED, { state: FlowState.ConsentUsed })
        await tx.codes.create(code)
      })
      expect(await codes.get(code.signature)).toEqual(code)
      const row = await db.kysely.selectFrom('hydra_oauth2_code').select('session_data').where('signature', '=', code.signature).executeTakeFirstOrThrow()
      expect(row.session_data).not.toContain('accessTokenExtra')
      const used = await Promise.all(Array.from({ length: 4 }, () => codes.invalidate(code.signature)))
      expect(used.filter(Boolean)).toHaveLength(1)
      expect((await codes.get(code.signature))?.active).toBe(false)

      // A code sealed under a retired secret reads as unknown (invalid_grant), never a 500.
      const nid = await networkId(db)
      const rotated = new SqlAuthorizeCodeStore(db.kysely, nid, new Aead(['a-completely-different-secret-0123']))
      expect(await rotated.get(code.signature)).toBeUndefined()
    })
  })
}
