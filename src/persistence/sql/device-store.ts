// RFC 8628 device authorizations and their browser challenges (migration 0009). Lists are
// '|'-joined as in Hydra's token tables; the decided session is sealed with secrets.system.
import { sql, type Kysely, type Selectable } from 'kysely'
import { DecryptionError } from '../../crypto/aead.js'
import type { SessionSealer } from '../../crypto/session-data.js'
import type { AuthorizeCodeSession } from '../../oauth2/code-store.js'
import {
  DeviceChallengeState,
  DeviceStatus,
  type DeviceChallenge,
  type DeviceChallengeStateValue,
  type DeviceCodeRecord,
  type DeviceDecision,
  type DeviceStatusValue,
  type DeviceStore,
} from '../../oauth2/device-code.js'
import { toDate, toNumber } from '../db.js'
import type { Database, DeviceAuthCodeTable, DeviceChallengeTable } from '../schema.js'
import { insertUnlessTaken } from './errors.js'

const SESSION_PURPOSE = 'session'
const CODES = 'hydra_oauth2_device_auth_codes'
const CHALLENGES = 'hydra_oauth2_device_challenge'

const joinList = (items: readonly string[]): string => items.join('|')
const splitList = (text: string): string[] => (text === '' ? [] : text.split('|'))

export class SqlDeviceStore implements DeviceStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
    private readonly sessions: SessionSealer,
  ) {}

  private fromRow(row: Selectable<DeviceAuthCodeTable>): DeviceCodeRecord {
    const status = toNumber(row.status) as DeviceStatusValue
    let decision: DeviceDecision | undefined
    if (row.session_data !== '' && (status === DeviceStatus.Authorized || status === DeviceStatus.Used)) {
      try {
        const session = JSON.parse(this.sessions.open(row.session_data, SESSION_PURPOSE).toString('utf8')) as AuthorizeCodeSession
        decision = {
          subject: row.subject,
          grantedScope: splitList(row.granted_scope),
          grantedAudience: splitList(row.granted_audience),
          challengeId: row.challenge_id ?? '',
          session,
        }
      } catch (e) {
        // Sealed under a secret no longer configured: the decision cannot be honoured.
        if (!(e instanceof DecryptionError)) throw e
      }
    }
    return {
      deviceSignature: row.device_code_signature,
      userSignature: row.user_code_signature,
      requestId: row.request_id,
      clientId: row.client_id,
      requestedAt: toDate(row.requested_at),
      expiresAt: toDate(row.expires_at),
      requestedScope: splitList(row.scope),
      requestedAudience: splitList(row.requested_audience),
      status,
      userCodeUsed: toNumber(row.user_code_state) !== 0,
      interval: toNumber(row.polling_interval),
      lastPolledAt: row.last_polled_at === null ? null : toDate(row.last_polled_at),
      decision,
    }
  }

  async create(r: DeviceCodeRecord): Promise<boolean> {
    return insertUnlessTaken(() =>
      this.db
        .insertInto(CODES)
        .values({
          device_code_signature: r.deviceSignature,
          nid: this.nid,
          user_code_signature: r.userSignature,
          request_id: r.requestId,
          requested_at: r.requestedAt,
          client_id: r.clientId,
          scope: joinList(r.requestedScope),
          granted_scope: '',
          requested_audience: joinList(r.requestedAudience),
          granted_audience: '',
          form_data: '',
          session_data: '',
          subject: '',
          status: r.status,
          user_code_state: r.userCodeUsed ? 1 : 0,
          challenge_id: null,
          polling_interval: r.interval,
          last_polled_at: r.lastPolledAt,
          expires_at: r.expiresAt,
        })
        .execute(),
    )
  }

  private async getBy(column: 'device_code_signature' | 'user_code_signature' | 'request_id', value: string) {
    const row = await this.db.selectFrom(CODES).selectAll().where(column, '=', value).where('nid', '=', this.nid).executeTakeFirst()
    return row ? this.fromRow(row) : undefined
  }

  getByDeviceSignature(signature: string) {
    return this.getBy('device_code_signature', signature)
  }

  getByUserSignature(signature: string) {
    return this.getBy('user_code_signature', signature)
  }

  getByRequestId(requestId: string) {
    return this.getBy('request_id', requestId)
  }

  async claimUserCode(deviceSignature: string): Promise<boolean> {
    const res = await this.db
      .updateTable(CODES)
      .set({ user_code_state: 1 })
      .where('device_code_signature', '=', deviceSignature)
      .where('nid', '=', this.nid)
      .where('user_code_state', '=', 0)
      .where('status', '=', DeviceStatus.Pending)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async decide(deviceSignature: string, decision: DeviceDecision | 'denied'): Promise<boolean> {
    const set =
      decision === 'denied'
        ? { status: DeviceStatus.Denied }
        : {
            status: DeviceStatus.Authorized,
            subject: decision.subject,
            granted_scope: joinList(decision.grantedScope),
            granted_audience: joinList(decision.grantedAudience),
            challenge_id: decision.challengeId,
            session_data: this.sessions.seal(JSON.stringify(decision.session), SESSION_PURPOSE),
          }
    const res = await this.db
      .updateTable(CODES)
      .set(set)
      .where('device_code_signature', '=', deviceSignature)
      .where('nid', '=', this.nid)
      .where('status', '=', DeviceStatus.Pending)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async recordPoll(deviceSignature: string, at: Date, interval: number): Promise<void> {
    await this.db
      .updateTable(CODES)
      .set({ last_polled_at: at, polling_interval: interval })
      .where('device_code_signature', '=', deviceSignature)
      .where('nid', '=', this.nid)
      .execute()
  }

  async consume(deviceSignature: string): Promise<boolean> {
    const res = await this.db
      .updateTable(CODES)
      .set({ status: DeviceStatus.Used })
      .where('device_code_signature', '=', deviceSignature)
      .where('nid', '=', this.nid)
      .where('status', '=', DeviceStatus.Authorized)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async createChallenge(c: DeviceChallenge): Promise<void> {
    await this.db
      .insertInto(CHALLENGES)
      .values({
        id: c.id,
        nid: this.nid,
        csrf: c.csrf,
        state: c.state,
        failed_attempts: c.failedAttempts,
        device_code_signature: c.deviceSignature,
        requested_at: c.requestedAt,
        expires_at: c.expiresAt,
      })
      .execute()
  }

  async getChallenge(id: string): Promise<DeviceChallenge | undefined> {
    const row = await this.db.selectFrom(CHALLENGES).selectAll().where('id', '=', id).where('nid', '=', this.nid).executeTakeFirst()
    return row ? challengeFromRow(row) : undefined
  }

  async countFailure(id: string, max: number): Promise<boolean> {
    const res = await this.db
      .updateTable(CHALLENGES)
      .set({ failed_attempts: sql<number>`failed_attempts + 1` })
      .where('id', '=', id)
      .where('nid', '=', this.nid)
      .where('state', '=', DeviceChallengeState.Open)
      .where('failed_attempts', '<', max)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  private async move(id: string, from: DeviceChallengeStateValue, set: { state: number; device_code_signature?: string }) {
    const res = await this.db
      .updateTable(CHALLENGES)
      .set(set)
      .where('id', '=', id)
      .where('nid', '=', this.nid)
      .where('state', '=', from)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  acceptChallenge(id: string, deviceSignature: string): Promise<boolean> {
    return this.move(id, DeviceChallengeState.Open, { state: DeviceChallengeState.Accepted, device_code_signature: deviceSignature })
  }

  useChallenge(id: string): Promise<boolean> {
    return this.move(id, DeviceChallengeState.Accepted, { state: DeviceChallengeState.Used })
  }
}

function challengeFromRow(row: Selectable<DeviceChallengeTable>): DeviceChallenge {
  return {
    id: row.id,
    csrf: row.csrf,
    state: toNumber(row.state) as DeviceChallengeStateValue,
    failedAttempts: toNumber(row.failed_attempts),
    deviceSignature: row.device_code_signature,
    requestedAt: toDate(row.requested_at),
    expiresAt: toDate(row.expires_at),
  }
}
