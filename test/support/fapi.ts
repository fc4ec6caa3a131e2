// The FAPI 2.0-style client of docs/fapi.md, shared by the socket and the browser tests: its
// registration metadata and the pushed authorization request it starts each flow with.
import { exportJWK, generateKeyPair } from 'jose'
import * as oidc from 'openid-client'

/** Client metadata with a fresh ES256 key (private_key_jwt), PAR and DPoP required, and that key. */
export async function fapiClientMetadata(redirectUri: string): Promise<{ metadata: Record<string, unknown>; auth: oidc.ClientAuth }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = `fapi-${Math.random().toString(36).slice(2)}`
  return {
    metadata: {
      client_name: 'FAPI-style client',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
      require_pushed_authorization_requests: true,
      dpop_bound_access_tokens: true,
    },
    auth: oidc.PrivateKeyJwt({ key: privateKey, kid }),
  }
}

/** A fresh DPoP key, PKCE verifier and state, and the pushed request's front-channel URL. */
export async function pushAuthorization(config: oidc.Configuration, redirectUri: string) {
  const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const params = {
    redirect_uri: redirectUri,
    scope: 'openid offline',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    dpop_jkt: await DPoP.calculateThumbprint(),
  }
  const pushed = await oidc.buildAuthorizationUrlWithPAR(config, params, { DPoP })
  return { DPoP, verifier, state, params, pushed }
}
