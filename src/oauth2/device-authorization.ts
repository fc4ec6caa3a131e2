// The device authorization endpoint (RFC 8628 §3.1, §3.2; Hydra's POST /oauth2/device/auth):
// the client authenticates as at the token endpoint, asks for scopes and audiences as at the
// authorization endpoint, and receives a device code for itself and a user code for the person.
import { randomUUID } from 'node:crypto'
import type { ClientAuthenticator } from './client-auth.js'
import {
  DEVICE_CODE_GRANT_TYPE,
  DeviceStatus,
  type DeviceCodes,
  type DeviceStore,
} from './device-code.js'
import { invalidScope, serverError, unauthorizedClient } from './errors.js'
import { grantAudience, splitAudience, splitScope, type ScopeMatcher } from './scopes.js'
import { credentialParams, singleValued, type FormParams } from './token.js'

/** RFC 8628 §3.2, in Hydra's deviceAuthorization shape. */
export interface DeviceAuthorizationResponse {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export interface DeviceAuthorizationDeps {
  clientAuth: Pick<ClientAuthenticator, 'authenticate'>
  store: Pick<DeviceStore, 'create'>
  codes: DeviceCodes
  scopes: ScopeMatcher
  /** The public /oauth2/device/verify URL. */
  verificationUri: string
  /** ttl.device_user_code (ms). */
  lifespanMs: number
  /** oauth2.device_authorization.token_polling_interval (ms). */
  pollingIntervalMs: number
  now: () => Date
}

const REPEATABLE = new Set(['audience'])

export class DeviceAuthorization {
  constructor(private readonly deps: DeviceAuthorizationDeps) {}

  async handle(req: { authorization: string | undefined; form: FormParams }): Promise<DeviceAuthorizationResponse> {
    const d = this.deps
    const form = singleValued(req.form, REPEATABLE)
    const { client } = await d.clientAuth.authenticate({ authorization: req.authorization, form: credentialParams(form) })
    if (!client.grant_types.includes(DEVICE_CODE_GRANT_TYPE)) {
      throw unauthorizedClient(`The OAuth 2.0 Client is not allowed to use authorization grant '${DEVICE_CODE_GRANT_TYPE}'.`)
    }
    const scope = splitScope(form.scope)
    const allowed = splitScope(client.scope)
    for (const s of scope) {
      if (!d.scopes(allowed, s)) throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
    }
    const audience = grantAudience(client.audience, splitAudience(req.form.audience))

    const now = d.now()
    const interval = Math.max(1, Math.ceil(d.pollingIntervalMs / 1000))
    const device = d.codes.newDeviceCode()
    // A user code is short: on the rare collision with a live one, draw again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const userCode = d.codes.userCodes.generate()
      const created = await d.store.create({
        deviceSignature: device.signature,
        userSignature: d.codes.userSignatureOf(d.codes.userCodes.normalize(userCode) as string),
        requestId: randomUUID(),
        clientId: client.client_id,
        requestedAt: now,
        expiresAt: new Date(now.getTime() + d.lifespanMs),
        requestedScope: scope,
        requestedAudience: audience,
        status: DeviceStatus.Pending,
        userCodeUsed: false,
        interval,
        lastPolledAt: null,
        decision: undefined,
      })
      if (!created) continue
      const complete = new URL(d.verificationUri)
      complete.searchParams.set('user_code', userCode)
      return {
        device_code: device.code,
        user_code: userCode,
        verification_uri: d.verificationUri,
        verification_uri_complete: complete.href,
        expires_in: Math.floor(d.lifespanMs / 1000),
        interval,
      }
    }
    throw serverError('Could not find an unused user code.')
  }
}
