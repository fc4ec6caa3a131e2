// The OAuth 2.0 Device Authorization Grant (RFC 8628): its codes, its record and the polling
// rules. A device code (`ory_dc_<key>.<signature>`, fosite's format) goes to the device; a short
// user code goes to the person, who types it into a browser. Only HMAC signatures of both are
// stored (secrets.system), so a database dump holds nothing that can be presented.
import { randomBytes } from 'node:crypto'
import type { HmacKeys } from '../crypto/hmac.js'
import type { AuthorizeCodeSession } from './code-store.js'
import { OAuthError } from './errors.js'
import { DEFAULT_USER_CODES, type UserCodeFormat } from './user-code.js'

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'
export const DEVICE_CODE_PREFIX = 'ory_dc_'

// Orthrus' default user code (user-code.ts); the functions below use it.
export const USER_CODE_ALPHABET = DEFAULT_USER_CODES.alphabet
export const USER_CODE_LENGTH = DEFAULT_USER_CODES.length

/** A fresh user code of the default format, as shown to the person: `XXXX-XXXX`. */
export const newUserCode = (): string => DEFAULT_USER_CODES.generate()

/** The canonical form of a typed default-format user code; undefined when it cannot be one. */
export const normalizeUserCode = (input: unknown): string | undefined => DEFAULT_USER_CODES.normalize(input)

/** `XXXX-XXXX` for a normalised code. */
export const formatUserCode = (code: string): string => DEFAULT_USER_CODES.display(code)

const PART = /^[A-Za-z0-9_-]{43}$/

/** Device and user codes, and the signatures they are stored by. */
export class DeviceCodes {
  constructor(
    private readonly hmac: HmacKeys,
    /** oauth2.device_authorization.user_code (user-code.ts). */
    readonly userCodes: UserCodeFormat = DEFAULT_USER_CODES,
  ) {}

  newDeviceCode(): { code: string; signature: string } {
    const key = randomBytes(32)
    const signature = this.hmac.sign(key).toString('base64url')
    return { code: `${DEVICE_CODE_PREFIX}${key.toString('base64url')}.${signature}`, signature }
  }

  /** The signature of a presented device code; undefined when it is not one of ours. Never throws. */
  deviceSignatureOf(code: unknown): string | undefined {
    if (typeof code !== 'string' || code.length > 200 || !code.startsWith(DEVICE_CODE_PREFIX)) return undefined
    const [keyPart, sigPart, extra] = code.slice(DEVICE_CODE_PREFIX.length).split('.')
    if (extra !== undefined || keyPart === undefined || sigPart === undefined) return undefined
    if (!PART.test(keyPart) || !PART.test(sigPart)) return undefined
    const key = Buffer.from(keyPart, 'base64url')
    const sig = Buffer.from(sigPart, 'base64url')
    if (key.toString('base64url') !== keyPart || sig.toString('base64url') !== sigPart) return undefined
    return this.hmac.verify(key, sig) ? sigPart : undefined
  }

  /** The signature of a user code in canonical form (see normalizeUserCode). */
  userSignatureOf(normalized: string): string {
    return this.hmac.sign(Buffer.from(`orthrus.device.user_code.${normalized}`, 'utf8')).toString('base64url')
  }
}

export const DeviceStatus = { Pending: 0, Authorized: 1, Denied: 2, Used: 3 } as const
export type DeviceStatusValue = (typeof DeviceStatus)[keyof typeof DeviceStatus]

/** What the person decided in the login and consent flow, for the token endpoint. */
export interface DeviceDecision {
  subject: string
  grantedScope: string[]
  grantedAudience: string[]
  /** The consent challenge id: request id and challenge id of the tokens, as for a code. */
  challengeId: string
  session: AuthorizeCodeSession
}

export interface DeviceCodeRecord {
  deviceSignature: string
  userSignature: string
  /** Identifies the request before consent; named in the flow's request_url. */
  requestId: string
  clientId: string
  requestedAt: Date
  expiresAt: Date
  requestedScope: string[]
  requestedAudience: string[]
  status: DeviceStatusValue
  /** True once a device challenge accepted the user code: it works once. */
  userCodeUsed: boolean
  /** Seconds the device must wait between polls; grows by 5 with every slow_down. */
  interval: number
  lastPolledAt: Date | null
  /** Set when authorized. */
  decision: DeviceDecision | undefined
}

export const DeviceChallengeState = { Open: 0, Accepted: 1, Used: 2 } as const
export type DeviceChallengeStateValue = (typeof DeviceChallengeState)[keyof typeof DeviceChallengeState]

/** The browser's visit to the verification page, before and right after the user code. */
export interface DeviceChallenge {
  id: string
  csrf: string
  state: DeviceChallengeStateValue
  failedAttempts: number
  deviceSignature: string | null
  requestedAt: Date
  expiresAt: Date
}

export interface DeviceStore {
  /** False when the user code signature is taken already (a collision; the caller draws again). */
  create(record: DeviceCodeRecord): Promise<boolean>
  getByDeviceSignature(signature: string): Promise<DeviceCodeRecord | undefined>
  getByUserSignature(signature: string): Promise<DeviceCodeRecord | undefined>
  getByRequestId(requestId: string): Promise<DeviceCodeRecord | undefined>
  /** Marks the user code accepted while it was not and the code is pending; true for the one caller that did. */
  claimUserCode(deviceSignature: string): Promise<boolean>
  /** pending -> authorized (with the decision) or denied; false when it was no longer pending. */
  decide(deviceSignature: string, decision: DeviceDecision | 'denied'): Promise<boolean>
  /** Remembers a poll and the interval from now on. */
  recordPoll(deviceSignature: string, at: Date, interval: number): Promise<void>
  /** authorized -> used; true only for the one caller that flipped it. */
  consume(deviceSignature: string): Promise<boolean>

  createChallenge(challenge: DeviceChallenge): Promise<void>
  getChallenge(id: string): Promise<DeviceChallenge | undefined>
  /** Counts a wrong user code while the challenge is open and below `max`; false when it was not. */
  countFailure(id: string, max: number): Promise<boolean>
  /** open -> accepted, bound to the device code. */
  acceptChallenge(id: string, deviceSignature: string): Promise<boolean>
  /** accepted -> used: the device verifier works once. */
  useChallenge(id: string): Promise<boolean>
}

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_STEP_SECONDS = 5

/**
 * Whether a poll came too early, and the interval from now on. Arrival times jitter with the
 * network, so a poll up to a fifth of the interval early still counts as on time.
 */
export function pollVerdict(lastPolledAt: Date | null, interval: number, now: Date): { slowDown: boolean; interval: number } {
  if (lastPolledAt === null) return { slowDown: false, interval }
  const elapsed = now.getTime() - lastPolledAt.getTime()
  if (elapsed >= interval * 1000 * 0.8) return { slowDown: false, interval }
  return { slowDown: true, interval: interval + SLOW_DOWN_STEP_SECONDS }
}

// RFC 8628 §3.5 error codes of the token endpoint.
export const authorizationPending = (): OAuthError =>
  new OAuthError('authorization_pending', 'The authorization request is still pending as the end user has not yet completed the user-interaction steps.', 400)

export const slowDown = (interval: number): OAuthError =>
  new OAuthError(
    'slow_down',
    'The authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.',
    400,
    `Wait at least ${interval} seconds between requests.`,
  )

export const expiredToken = (): OAuthError =>
  new OAuthError('expired_token', 'The device_code has expired, and the device authorization session has concluded.', 400)

export const deviceAccessDenied = (): OAuthError =>
  new OAuthError('access_denied', 'The resource owner or authorization server denied the request.', 400, 'The end user denied the authorization request.')
