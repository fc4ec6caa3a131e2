// Token rows as the authorization_code and refresh_token grants will write them: tied to a
// consent by challenge_id. Written straight through the token store, so the session endpoints
// can be tested before those grants exist.
import { randomUUID } from 'node:crypto'
import { HmacKeys } from '../../src/crypto/hmac.js'
import { ACCESS_TOKEN_PREFIX, OpaqueTokens, REFRESH_TOKEN_PREFIX } from '../../src/oauth2/tokens/opaque-hmac.js'
import { SessionCodec } from '../../src/oauth2/tokens/session.js'
import type { Registry } from '../../src/registry.js'

export interface IssuedPair {
  accessToken: string
  refreshToken: string
}

export async function issueUnderConsent(
  registry: Registry,
  grant: { clientId: string; subject: string; consentRequestId: string },
): Promise<IssuedPair> {
  const opaque = new OpaqueTokens(new HmacKeys(registry.config.secrets.system))
  const sessions = new SessionCodec(registry.aead)
  const now = new Date()
  const requestId = randomUUID()
  const issue = async (kind: 'access' | 'refresh') => {
    const t = opaque.generate(kind === 'access' ? ACCESS_TOKEN_PREFIX : REFRESH_TOKEN_PREFIX)
    await registry.storage.autocommit.tokens.create(
      kind,
      sessions.seal({
        signature: t.signature,
        requestId,
        requestedAt: now,
        clientId: grant.clientId,
        requestedScope: ['openid', 'offline'],
        grantedScope: ['openid', 'offline'],
        requestedAudience: [],
        grantedAudience: [],
        form: {},
        session: { ext: {} },
        subject: grant.subject,
        active: true,
        challengeId: grant.consentRequestId,
        expiresAt: new Date(now.getTime() + 3_600_000),
      }),
    )
    return t.token
  }
  return { accessToken: await issue('access'), refreshToken: await issue('refresh') }
}
