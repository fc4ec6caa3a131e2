// oauth2.mirror_top_level_claims / allowed_top_level_claims / preserve_ext_claims on JWT access
// tokens issued through the consent flow, as Hydra's Session.GetJWTClaims builds them.
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { testApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow } from '../support/flow.js'
import { basic, tokenCall } from '../support/tokens.js'

const [sqlite] = testDatabases()

async function accessTokenClaims(env: Record<string, string>): Promise<Record<string, unknown>> {
  const apps = await testApps(sqlite!, {
    ...FLOW_ENV,
    STRATEGIES_ACCESS_TOKEN: 'jwt',
    OAUTH2_ALLOWED_TOP_LEVEL_CLAIMS: 'tier',
    OAUTH2_MIRROR_TOP_LEVEL_CLAIMS: 'false',
    ...env,
  })
  try {
    const client = await createClient(apps)
    const params = await fullFlow(apps, new CookieJar(), client.client_id, {
      consent: { grant_scope: ['openid'], session: { access_token: { tier: 'gold', team: 'blue' } } },
    })
    const res = await tokenCall(apps, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: REDIRECT_URI }, basic(client))
    expect(res.statusCode, res.body).toBe(200)
    return decodeJwt((res.json() as { access_token: string }).access_token)
  } finally {
    await apps.close()
  }
}

describe('oauth2.preserve_ext_claims', () => {
  it('keeps the claims not copied to the top level in ext when set', async () => {
    const claims = await accessTokenClaims({ OAUTH2_PRESERVE_EXT_CLAIMS: 'true' })
    expect(claims.tier).toBe('gold')
    expect(claims.ext).toEqual({ team: 'blue' })
  })

  it("leaves ext out when neither mirrored nor preserved (Hydra's default)", async () => {
    const claims = await accessTokenClaims({})
    expect(claims.tier).toBe('gold')
    expect(claims.ext).toBeUndefined()
  })
})
