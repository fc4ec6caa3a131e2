// The unit of work's contract, the same cases on every configured database (SQLite file,
// PostgreSQL, MariaDB): the stores a unit hands out behave as the autocommit ones and see their
// own writes; a failure between two steps leaves nothing half written; concurrent units that
// race for one credential let exactly one through; a serialization failure or deadlock reruns
// the whole unit, a bounded number of times, and nothing else does. The flow steps that write
// more than once (taking a login verifier back, starting a device flow) are driven through their
// real code with a failure injected inside their unit.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { Aead } from '../../src/crypto/aead.js'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { FlowCodec, newFlowId } from '../../src/flow/codec.js'
import { flowSettings } from '../../src/flow/context.js'
import { loginCsrfCookie } from '../../src/flow/cookies.js'
import { FlowState, type Flow } from '../../src/flow/model.js'
import { createFlows } from '../../src/flow/services.js'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { DeviceChallengeState, DeviceCodes, DeviceStatus, type DeviceCodeRecord } from '../../src/oauth2/device-code.js'
import type { StoredToken } from '../../src/oauth2/store.js'
import type { Db } from '../../src/persistence/db.js'
import { SqlStorage, type RetryPolicy } from '../../src/persistence/sql/storage.js'
import type { Storage, TxStores } from '../../src/unit-of-work.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { sampleClient, sampleFlow } from '../support/fixtures.js'

const aead = new Aead(['a-test-system-secret-of-32-chars!'])
const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000)
const FAST: RetryPolicy = { attempts: 5, baseDelayMs: 1, maxDelayMs: 5 }

class Injected extends Error {}

/** `target` whose `method` fails, as a database error would. */
function failing<T extends object>(target: T, method: PropertyKey): T {
  return new Proxy(target, {
    get: (t, name) => (name === method ? () => Promise.reject(new Injected(`at ${String(name)}`)) : Reflect.get(t, name)),
  })
}

/** `storage` whose units fail at `store.method`, after whatever the unit wrote before it. */
function failingAt<K extends keyof TxStores>(storage: Storage, store: K, method: keyof TxStores[K]): Storage {
  return {
    autocommit: storage.autocommit,
    transaction: (work) => storage.transaction((tx) => work({ ...tx, [store]: failing(tx[store], method) })),
  }
}

const { config } = loadConfig({
  dev: true,
  env: { DSN: 'memory', SECRETS_SYSTEM: 'a-test-system-secret-of-32-chars!', URLS_LOGIN: 'https://login.example/login', URLS_CONSENT: 'https://consent.example/consent' },
})
const flowCodec = new FlowCodec(new HmacKeys(config.secrets.system))
const { deviceVerifyUrl } = flowSettings(config)

/** A driver-shaped conflict error, as each engine reports it. */
function conflict(kind: 'postgres' | 'mysql' | 'sqlite'): Error {
  const e = new Error('injected conflict') as Error & { code?: string; errno?: number }
  if (kind === 'postgres') e.code = '40001'
  else if (kind === 'mysql') Object.assign(e, { code: 'ER_LOCK_DEADLOCK', errno: 1213 })
  else e.code = 'SQLITE_BUSY'
  return e
}

function token(clientId: string, over: Partial<StoredToken> = {}): StoredToken {
  return {
    signature: randomUUID(),
    requestId: randomUUID(),
    requestedAt: seconds(Date.now()),
    clientId,
    requestedScope: ['openid'],
    grantedScope: ['openid'],
    requestedAudience: [],
    grantedAudience: [],
    form: { grant_type: 'refresh_token' },
    sessionData: 'sealed-elsewhere',
    subject: 'alice',
    active: true,
    challengeId: null,
    expiresAt: seconds(Date.now() + 3_600_000),
    ...over,
  }
}

function deviceCode(clientId: string, over: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord {
  return {
    deviceSignature: randomUUID(),
    userSignature: randomUUID(),
    requestId: randomUUID(),
    clientId,
    requestedAt: seconds(Date.now()),
    expiresAt: seconds(Date.now() + 600_000),
    requestedScope: ['openid'],
    requestedAudience: [],
    status: DeviceStatus.Pending,
    userCodeUsed: false,
    interval: 5,
    lastPolledAt: null,
    decision: undefined,
    ...over,
  }
}

/** An open device challenge (the verification page's visit), alive for a minute. */
const deviceChallenge = (id: string, csrf: string) => ({
  id,
  csrf,
  state: DeviceChallengeState.Open,
  failedAttempts: 0,
  deviceSignature: null,
  requestedAt: seconds(Date.now()),
  expiresAt: seconds(Date.now() + 60_000),
})

const decision = {
  subject: 'alice',
  grantedScope: ['openid'],
  grantedAudience: [],
  challengeId: 'consent-1',
  session: {
    accessTokenExtra: {},
    idTokenExtra: {},
    authTime: 1,
    requestedAt: 1,
    acr: '',
    amr: [],
    sid: 's',
    nonce: '',
    forcedSubjectIdentifier: '',
    claims: '',
  },
}

for (const t of testDatabases()) {
  describe(`unit of work on ${t.name}`, () => {
    let db: Db
    let cleanup: () => Promise<void>
    let storage: SqlStorage
    let nid: string
    let clientId: string
    const retries: unknown[] = []

    beforeAll(async () => {
      ;({ db, cleanup } = await migratedDb(t))
      nid = await networkId(db)
      storage = new SqlStorage(db, nid, aead, { retry: FAST, onRetry: (_attempt, e) => retries.push(e) })
      clientId = (await storage.autocommit.clients.create(sampleClient())).client_id
    })
    afterAll(async () => cleanup())

    it('hands out stores that see their own writes and commit them together', async () => {
      const access = token(clientId)
      const refresh = token(clientId, { requestId: access.requestId })
      const dc = deviceCode(clientId)
      const seen = await storage.transaction(async (tx) => {
        await tx.tokens.create('access', access)
        await tx.tokens.create('refresh', refresh)
        expect(await tx.device.create(dc)).toBe(true)
        return {
          access: await tx.tokens.get('access', access.signature),
          device: await tx.device.getByDeviceSignature(dc.deviceSignature),
        }
      })
      expect(seen.access).toEqual(access)
      expect(seen.device?.status).toBe(DeviceStatus.Pending)
      expect(await storage.autocommit.tokens.get('refresh', refresh.signature)).toEqual(refresh)
      expect((await storage.autocommit.device.getByUserSignature(dc.userSignature))?.deviceSignature).toBe(dc.deviceSignature)
    })

    it('keeps each store’s behaviour inside a unit: clients, logouts, sessions, trust, device challenges', async () => {
      const other = sampleClient({ client_name: 'inside a unit' })
      const created = await storage.transaction((tx) => tx.clients.create(other))
      expect((await storage.autocommit.clients.get(created.client_id))?.client_name).toBe('inside a unit')

      const sid = randomUUID()
      const at = seconds(Date.now())
      await storage.transaction(async (tx) => {
        expect(
          await tx.flows.createSession({
            id: sid,
            subject: 'alice',
            authenticatedAt: at,
            remember: true,
            identityProviderSessionId: '',
            expiresAt: seconds(Date.now() + 60_000),
          }),
        ).toBe(true)
        await tx.logouts.createLogoutRequest({
          id: `logout-${sid}`,
          subject: 'alice',
          sid,
          clientId: null,
          requestUrl: 'https://auth.example/oauth2/sessions/logout',
          redirectUrl: 'https://app.example/bye',
          csrf: 'csrf',
          rpInitiated: true,
          accepted: false,
          rejected: false,
          wasUsed: false,
          requestedAt: at,
          expiresAt: seconds(Date.now() + 60_000),
        })
        await tx.device.createChallenge(deviceChallenge(`challenge-${sid}`, 'csrf'))
      })
      expect((await storage.autocommit.flows.getRememberedSession(sid, new Date()))?.subject).toBe('alice')
      expect(await storage.autocommit.logouts.decideLogoutRequest(`logout-${sid}`, true)).toBe(true)
      expect(await storage.autocommit.device.countFailure(`challenge-${sid}`, 5)).toBe(true)
      expect((await storage.autocommit.device.getChallenge(`challenge-${sid}`))?.failedAttempts).toBe(1)

      // Logout: the verifier is used up and the session ended in one unit.
      const ended = await storage.transaction(async (tx) => {
        expect(await tx.logouts.consumeLogoutRequest(`logout-${sid}`)).toBe(true)
        return tx.flows.deleteSession(sid)
      })
      expect(ended?.id).toBe(sid)
      expect(await storage.autocommit.flows.getRememberedSession(sid, new Date())).toBeUndefined()
      expect(await storage.transaction((tx) => tx.logouts.consumeLogoutRequest(`logout-${sid}`))).toBe(false)

      expect(await storage.transaction((tx) => tx.clients.delete(created.client_id))).toBe(true)
      expect(await storage.autocommit.clients.get(created.client_id)).toBeUndefined()
      expect((await storage.autocommit.trust.list({ pageSize: 10 })).items).toEqual([])
    })

    it('leaves nothing half written when a unit fails between its steps', async () => {
      // The device grant: consume the code, then store the tokens. A failure after the first
      // step leaves the code authorized and no token behind.
      const dc = deviceCode(clientId)
      await storage.autocommit.device.create(dc)
      expect(await storage.transaction((tx) => tx.device.decide(dc.deviceSignature, decision))).toBe(true)
      const access = token(clientId)
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.device.consume(dc.deviceSignature)).toBe(true)
          await tx.tokens.create('access', access)
          throw new Injected('after consuming the code')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect((await storage.autocommit.device.getByDeviceSignature(dc.deviceSignature))?.status).toBe(DeviceStatus.Authorized)
      expect(await storage.autocommit.tokens.get('access', access.signature)).toBeUndefined()

      // The device flow: the user code is claimed, then the challenge fails to accept it.
      const pending = deviceCode(clientId)
      await storage.autocommit.device.create(pending)
      const challenge = randomUUID()
      await storage.autocommit.device.createChallenge(deviceChallenge(challenge, 'c'))
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.device.claimUserCode(pending.deviceSignature)).toBe(true)
          throw new Injected('before accepting the challenge')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect((await storage.autocommit.device.getByDeviceSignature(pending.deviceSignature))?.userCodeUsed).toBe(false)
      await storage.transaction(async (tx) => {
        expect(await tx.device.claimUserCode(pending.deviceSignature)).toBe(true)
        expect(await tx.device.acceptChallenge(challenge, pending.deviceSignature)).toBe(true)
      })
      expect((await storage.autocommit.device.getChallenge(challenge))?.state).toBe(DeviceChallengeState.Accepted)

      // Refresh rotation: the old token is used and the family revoked, then the new one fails.
      const old = token(clientId)
      await storage.autocommit.tokens.create('refresh', old)
      const next = token(clientId, { requestId: old.requestId })
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.tokens.useRefresh(old.signature, new Date())).toBe(true)
          await tx.tokens.revokeRequest(old.requestId)
          await tx.tokens.create('refresh', next)
          throw new Injected('after the new refresh token')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect((await storage.autocommit.tokens.get('refresh', old.signature))?.active).toBe(true)
      expect(await storage.autocommit.tokens.get('refresh', next.signature)).toBeUndefined()
    })

    it('lets exactly one of two concurrent refreshes of one token win; the other sees reuse', async () => {
      const old = token(clientId)
      await storage.autocommit.tokens.create('refresh', old)
      const refresh = () =>
        storage.transaction(async (tx) => {
          if (!(await tx.tokens.useRefresh(old.signature, new Date()))) {
            await tx.tokens.revokeRequest(old.requestId)
            return 'reuse'
          }
          await tx.tokens.revokeRequest(old.requestId)
          await tx.tokens.create('refresh', token(clientId, { requestId: old.requestId }))
          return 'rotated'
        })
      const outcomes = await Promise.all([refresh(), refresh()])
      expect(outcomes.sort()).toEqual(['reuse', 'rotated'])
    })

    it('issues a device code’s tokens once however many polls race', async () => {
      const dc = deviceCode(clientId)
      await storage.autocommit.device.create(dc)
      await storage.transaction((tx) => tx.device.decide(dc.deviceSignature, decision))
      const poll = () =>
        storage.transaction(async (tx) => {
          if (!(await tx.device.consume(dc.deviceSignature))) return false
          await tx.tokens.create('access', token(clientId, { requestId: dc.requestId }))
          return true
        })
      const won = await Promise.all(Array.from({ length: 4 }, poll))
      expect(won.filter(Boolean)).toHaveLength(1)
      const rows = await db.kysely.selectFrom('hydra_oauth2_access').select('signature').where('request_id', '=', dc.requestId).execute()
      expect(rows).toHaveLength(1)
    })

    it('reruns a unit that hit a serialization failure, and keeps only the last run', async () => {
      retries.length = 0
      let runs = 0
      const first = token(clientId)
      const result = await storage.transaction(async (tx: TxStores) => {
        runs++
        // Each run writes its own row: the failed run's must be rolled back.
        await tx.tokens.create('access', runs === 1 ? first : token(clientId, { requestId: first.requestId }))
        if (runs === 1) throw conflict(t.name)
        return runs
      })
      expect(result).toBe(2)
      expect(retries).toHaveLength(1)
      expect(await storage.autocommit.tokens.get('access', first.signature)).toBeUndefined()
      const rows = await db.kysely.selectFrom('hydra_oauth2_access').select('signature').where('request_id', '=', first.requestId).execute()
      expect(rows).toHaveLength(1)
    })

    it('gives up after the bounded number of runs, and never reruns on other errors', async () => {
      let runs = 0
      await expect(
        storage.transaction(async () => {
          runs++
          throw conflict(t.name)
        }),
      ).rejects.toMatchObject({ message: 'injected conflict' })
      expect(runs).toBe(FAST.attempts)

      runs = 0
      await expect(
        storage.transaction(async () => {
          runs++
          throw new Injected('not a conflict')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect(runs).toBe(1)
    })

    it('claims a DPoP proof and an assertion jti once inside a unit, and the unit goes on', async () => {
      const expires = seconds(Date.now() + 60_000)
      const proof = randomUUID()
      const jti = randomUUID()
      const access = token(clientId)
      await storage.transaction(async (tx) => {
        expect(await tx.dpop.claimDpopJti(proof, expires, new Date())).toBe(true)
        expect(await tx.dpop.claimDpopJti(proof, expires, new Date())).toBe(false)
        expect(await tx.tokens.useJti(jti, expires, new Date())).toBe(true)
        expect(await tx.tokens.useJti(jti, expires, new Date())).toBe(false)
        // A refused claim must not spoil the transaction (PostgreSQL aborts on any failed statement).
        await tx.tokens.create('access', access)
      })
      expect(await storage.autocommit.tokens.get('access', access.signature)).toEqual(access)
      expect(await storage.autocommit.dpop.claimDpopJti(proof, expires, new Date())).toBe(false)

      // A rolled-back claim leaves the proof unclaimed.
      const other = randomUUID()
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.dpop.claimDpopJti(other, expires, new Date())).toBe(true)
          throw new Injected('after the claim')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect(await storage.autocommit.dpop.claimDpopJti(other, expires, new Date())).toBe(true)
    })

    it('stores and uses up a pushed authorization request in a unit, once under concurrency', async () => {
      const pushed = {
        signature: randomUUID(),
        clientId,
        requestData: 'sealed-elsewhere',
        used: false,
        requestedAt: seconds(Date.now()),
        expiresAt: seconds(Date.now() + 60_000),
      }
      await expect(
        storage.transaction(async (tx) => {
          await tx.pushed.createPushedRequest(pushed)
          expect(await tx.pushed.usePushedRequest(pushed.signature)).toBe(true)
          throw new Injected('after using the request')
        }),
      ).rejects.toBeInstanceOf(Injected)
      expect(await storage.autocommit.pushed.getPushedRequest(pushed.signature)).toBeUndefined()

      await storage.transaction((tx) => tx.pushed.createPushedRequest(pushed))
      expect(await storage.autocommit.pushed.getPushedRequest(pushed.signature)).toEqual(pushed)
      const uses = await Promise.all(Array.from({ length: 4 }, () => storage.transaction((tx) => tx.pushed.usePushedRequest(pushed.signature))))
      expect(uses.filter(Boolean)).toHaveLength(1)
      expect((await storage.autocommit.pushed.getPushedRequest(pushed.signature))?.used).toBe(true)
    })

    describe('flow steps', () => {
      const device = () => ({ store: storage.autocommit.device, codes: new DeviceCodes(new HmacKeys(config.secrets.system)) })
      const flowsOn = (s: Storage) => createFlows({ config, clients: storage.autocommit.clients, storage: s, keyRing: undefined, device: device() })
      const sessionRow = (id: string) =>
        db.kysely.selectFrom('hydra_oauth2_authentication_session').select(['id', 'subject']).where('id', '=', id).executeTakeFirst()
      /** The browser's cookies: the flow's login CSRF cookie, and the session cookie when given. */
      const loginCookies = (f: Flow, session?: string) => (name: string) => {
        if (name === loginCsrfCookie(flowSettings(config).cookies, f.clientId)) return f.loginCsrf
        return name === config.serve.cookies.names.session ? session : undefined
      }

      it('uses a login verifier up together with the session it writes and the one it ends, or not at all', async () => {
        // The browser remembers an earlier login; the new one is not to be remembered, so the
        // unit creates the new session and deletes the old one.
        const earlier = randomUUID()
        await storage.transaction((tx) =>
          tx.flows.createSession({
            id: earlier,
            subject: 'alice',
            authenticatedAt: seconds(Date.now()),
            remember: true,
            identityProviderSessionId: '',
            expiresAt: seconds(Date.now() + 60_000),
          }),
        )
        const f = sampleFlow(clientId, { state: FlowState.LoginUnused, subject: 'alice', loginAuthenticatedAt: seconds(Date.now()) })
        await storage.autocommit.flows.createFlow(f)
        const params = AuthorizeParams.fromRecord({
          client_id: clientId,
          response_type: 'code',
          redirect_uri: 'https://app.example.com/cb',
          scope: 'openid',
          state: 'state-123',
          login_verifier: flowCodec.encode('login_verifier', f.id),
        })
        const input = { params, cookies: loginCookies(f, earlier) }

        await expect(flowsOn(failingAt(storage, 'flows', 'deleteSession')).authorize.authorize(input)).rejects.toBeInstanceOf(Injected)
        expect(await storage.autocommit.flows.getFlow(f.id)).toMatchObject({ state: FlowState.LoginUnused, loginWasUsed: false })
        expect(await sessionRow(f.loginSessionId)).toBeUndefined()
        expect(await sessionRow(earlier)).toBeDefined()

        const done = await flowsOn(storage).authorize.authorize(input)
        expect(done.response).toMatchObject({ kind: 'redirect', location: expect.stringMatching(/^https:\/\/consent\.example\/consent\?consent_challenge=/) })
        expect(done.cookies).toContainEqual(expect.objectContaining({ name: config.serve.cookies.names.session, value: null }))
        expect(await storage.autocommit.flows.getFlow(f.id)).toMatchObject({ state: FlowState.ConsentInitialized, loginWasUsed: true })
        expect(await sessionRow(f.loginSessionId)).toMatchObject({ subject: 'alice' })
        expect(await sessionRow(earlier)).toBeUndefined()
      })

      it('uses a rejected device login up together with the device code it denies, or not at all', async () => {
        const dc = deviceCode(clientId)
        await storage.autocommit.device.create(dc)
        const loginError = { error: 'access_denied', error_description: 'no', error_hint: '', error_debug: '', status_code: 403 }
        const f = sampleFlow(clientId, { state: FlowState.LoginError, loginError, requestUrl: `${deviceVerifyUrl}?device_request=${dc.requestId}` })
        await storage.autocommit.flows.createFlow(f)
        const params = new URLSearchParams({ login_verifier: flowCodec.encode('login_verifier', f.id) })

        await expect(flowsOn(failingAt(storage, 'device', 'decide')).device?.verify(params, loginCookies(f))).rejects.toBeInstanceOf(Injected)
        expect(await storage.autocommit.flows.getFlow(f.id)).toMatchObject({ state: FlowState.LoginError, loginWasUsed: false })
        expect((await storage.autocommit.device.getByDeviceSignature(dc.deviceSignature))?.status).toBe(DeviceStatus.Pending)

        const done = await flowsOn(storage).device?.verify(params, loginCookies(f))
        expect(done?.response).toMatchObject({ kind: 'redirect', location: expect.stringContaining('error=access_denied') })
        expect(await storage.autocommit.flows.getFlow(f.id)).toMatchObject({ loginWasUsed: true })
        expect((await storage.autocommit.device.getByDeviceSignature(dc.deviceSignature))?.status).toBe(DeviceStatus.Denied)
      })

      it('spends a device verifier only with the flow it starts', async () => {
        const dc = deviceCode(clientId)
        await storage.autocommit.device.create(dc)
        const challenge = deviceChallenge(newFlowId(), 'device-csrf')
        await storage.autocommit.device.createChallenge(challenge)
        await storage.transaction(async (tx) => {
          expect(await tx.device.claimUserCode(dc.deviceSignature)).toBe(true)
          expect(await tx.device.acceptChallenge(challenge.id, dc.deviceSignature)).toBe(true)
        })
        const params = new URLSearchParams({ device_verifier: flowCodec.encode('device_verifier', challenge.id) })
        const cookies = (name: string) => (name === config.serve.cookies.names.device_csrf ? challenge.csrf : undefined)

        await expect(flowsOn(failingAt(storage, 'flows', 'createFlow')).device?.verify(params, cookies)).rejects.toBeInstanceOf(Injected)
        expect((await storage.autocommit.device.getChallenge(challenge.id))?.state).toBe(DeviceChallengeState.Accepted)

        const done = await flowsOn(storage).device?.verify(params, cookies)
        expect(done?.response).toMatchObject({ kind: 'redirect', location: expect.stringMatching(/^https:\/\/login\.example\/login\?login_challenge=/) })
        expect((await storage.autocommit.device.getChallenge(challenge.id))?.state).toBe(DeviceChallengeState.Used)
        // Spent: a second visit with the same verifier is refused.
        const again = await flowsOn(storage).device?.verify(params, cookies)
        expect(again?.response).toMatchObject({ kind: 'redirect', location: expect.stringContaining('error=access_denied') })
      })
    })

    it.skipIf(t.name === 'sqlite')('survives a real deadlock between two units: the loser runs again', async () => {
      // Two rows locked in opposite orders: the database picks a victim (PostgreSQL 40P01 after
      // deadlock_timeout, InnoDB 1213 at once), whose unit reruns and then succeeds.
      const a = deviceCode(clientId)
      const b = deviceCode(clientId)
      await storage.autocommit.device.create(a)
      await storage.autocommit.device.create(b)
      retries.length = 0
      let arrived = 0
      let release: () => void = () => undefined
      const bothHoldOne = new Promise<void>((resolve) => (release = resolve))
      const meet = async () => {
        if (++arrived === 2) release()
        await bothHoldOne
      }
      const unit = (first: string, second: string) =>
        storage.transaction(async (tx) => {
          await tx.device.recordPoll(first, new Date(), 5)
          await meet()
          await tx.device.recordPoll(second, new Date(), 5)
          return true
        })
      const done = await Promise.all([unit(a.deviceSignature, b.deviceSignature), unit(b.deviceSignature, a.deviceSignature)])
      expect(done).toEqual([true, true])
      expect(retries.length).toBeGreaterThanOrEqual(1)
    })
  })
}
