// RFC 8628 §3.4, §3.5: the device polls the token endpoint with its device code until the person
// has decided in the browser. Answers, in this order: invalid_grant for a code that is not ours,
// another client's or already redeemed; expired_token; slow_down when polled faster than the
// interval (which then grows by 5 s); authorization_pending; access_denied; and exactly once the
// tokens (a conditional update flips authorized -> used, so concurrent polls give one success).
import {
  DEVICE_CODE_GRANT_TYPE,
  DeviceStatus,
  authorizationPending,
  deviceAccessDenied,
  expiredToken,
  pollVerdict,
  slowDown,
} from '../device-code.js'
import { invalidGrant, invalidRequest } from '../errors.js'
import { oidcSessionOf } from '../tokens/oidc-session.js'
import { defineGrant } from './grant.js'
import { issueUserTokens, mayRefresh, withIdToken } from './user-tokens.js'

const USED = 'The device code has already been used.'
const UNKNOWN = 'The device code is invalid, was not issued by this server, or was issued to another client.'

export const deviceCode = defineGrant({
  type: DEVICE_CODE_GRANT_TYPE,
  parameters: ['device_code'],
  // RFC 8628 §3.4: devices are often public clients.
  clientAuthentication: 'any',
  issues: { refreshToken: true, idToken: true },
  lifespans: {
    access: 'device_authorization_grant_access_token_lifespan',
    refresh: 'device_authorization_grant_refresh_token_lifespan',
    idToken: 'device_authorization_grant_id_token_lifespan',
  },
  unitOfWork: 'transaction',
  // Off without a device store (then /oauth2/device/auth is off too).
  dependencies: (s) => s.device,
  async handle(req, ctx, device) {
    const { client, form } = req
    const code = form.device_code
    if (code === undefined || code === '') throw invalidRequest("The request parameter 'device_code' is missing.")
    const signature = device.codes.deviceSignatureOf(code)
    if (signature === undefined) throw invalidGrant(UNKNOWN)
    const rec = await device.store.getByDeviceSignature(signature)
    // Another client's code is not told apart from an unknown one.
    if (!rec || rec.clientId !== client.client_id) throw invalidGrant(UNKNOWN)
    const now = ctx.now()
    if (rec.expiresAt.getTime() <= now.getTime()) throw expiredToken()
    if (rec.status === DeviceStatus.Used) throw invalidGrant(USED)
    const verdict = pollVerdict(rec.lastPolledAt, rec.interval, now)
    await device.store.recordPoll(signature, now, verdict.interval)
    if (verdict.slowDown) throw slowDown(verdict.interval)
    if (rec.status === DeviceStatus.Pending) throw authorizationPending()
    if (rec.status === DeviceStatus.Denied) throw deviceAccessDenied()
    const decision = rec.decision
    if (!decision) throw invalidGrant('The device authorization can no longer be honoured.')

    const { lifespans } = req
    // Never the device code itself: stored rows hold no credentials.
    const storedForm = { grant_type: DEVICE_CODE_GRANT_TYPE }
    const authenticated = oidcSessionOf(decision.session)
    const hooked = await ctx.tokenHook.run({
      grantType: DEVICE_CODE_GRANT_TYPE,
      client,
      subject: decision.subject,
      requestedScope: rec.requestedScope,
      grantedScope: decision.grantedScope,
      requestedAudience: rec.requestedAudience,
      grantedAudience: decision.grantedAudience,
      form: storedForm,
      accessTokenClaims: decision.session.accessTokenExtra,
      idTokenClaims: authenticated.idTokenExtra,
      oidc: authenticated,
      challengeId: decision.challengeId,
    })
    const oidc = { ...authenticated, idTokenExtra: hooked.idTokenClaims }
    // Consuming the code and storing its tokens commit together: a failure in between leaves
    // the code authorized for the next poll, never used up without tokens.
    const response = await ctx.storage.transaction(async (tx) => {
      if (!(await tx.device.consume(signature))) return undefined
      return issueUserTokens(ctx.tokens.withStore(tx.tokens), {
        client,
        subject: decision.subject,
        // The consent challenge names the family, so revoking the consent revokes these tokens.
        requestId: decision.challengeId,
        challengeId: decision.challengeId,
        requestedScope: rec.requestedScope,
        accessScope: decision.grantedScope,
        refreshScope: decision.grantedScope,
        requestedAudience: rec.requestedAudience,
        grantedAudience: decision.grantedAudience,
        form: storedForm,
        ext: hooked.accessTokenClaims,
        oidc,
        lifespans,
        issueRefresh: mayRefresh(client, decision.grantedScope),
      })
    })
    if (!response) throw invalidGrant(USED)
    return withIdToken(response, ctx.idTokens, {
      client,
      subject: decision.subject,
      scope: decision.grantedScope,
      oidc,
      lifespan: lifespans.idToken,
      now,
    })
  },
})
