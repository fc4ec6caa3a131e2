import { randomUUID } from 'node:crypto'
import { emptyLifespans, type Client } from '../../src/client/model.js'
import { newFlowId } from '../../src/flow/codec.js'
import { FlowState, type Flow } from '../../src/flow/model.js'

export function sampleClient(overrides: Partial<Client> = {}): Client {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000)
  return {
    pk: randomUUID(),
    nid: '',
    client_id: randomUUID(),
    client_name: 'sample',
    secret_hash: '$pbkdf2-sha256$i=1000,l=32$c2FsdA$aGFzaA',
    rotated_secret_hashes: [],
    redirect_uris: ['https://app.example.com/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline',
    audience: ['https://api.example.com'],
    owner: 'team-a',
    policy_uri: '',
    tos_uri: '',
    client_uri: '',
    logo_uri: '',
    contacts: ['ops@example.com'],
    client_secret_expires_at: 0,
    subject_type: 'public',
    sector_identifier_uri: '',
    jwks: null,
    jwks_uri: '',
    request_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    token_endpoint_auth_signing_alg: '',
    request_object_signing_alg: '',
    userinfo_signed_response_alg: 'none',
    allowed_cors_origins: [],
    frontchannel_logout_uri: '',
    frontchannel_logout_session_required: false,
    post_logout_redirect_uris: [],
    backchannel_logout_uri: '',
    backchannel_logout_session_required: true,
    require_pushed_authorization_requests: false,
    metadata: { tier: 'gold', nested: { a: [1, 2] } },
    skip_consent: false,
    skip_logout_consent: true,
    access_token_strategy: '',
    lifespans: emptyLifespans(),
    registration_access_token_hash: '',
    created_at: now,
    updated_at: now,
    ...overrides,
  }
}

/** A login and consent flow of `clientId`, just started (requested now, to the second). */
export function sampleFlow(clientId: string, over: Partial<Flow> = {}): Flow {
  return {
    id: newFlowId(),
    clientId,
    state: FlowState.LoginInitialized,
    requestedAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    requestUrl: 'https://auth.example/oauth2/auth?client_id=x',
    request: {
      clientId, responseTypes: ['code'], responseMode: 'query', redirectUri: 'https://app.example.com/cb', redirectUriParam: '',
      state: 'state-123', scope: ['openid'], audience: [], nonce: '', prompt: [], maxAge: null, idTokenHint: '', loginHint: '',
      acrValues: [], uiLocales: [], display: '', claims: '', codeChallenge: '', codeChallengeMethod: '',
    },
    requestedScope: ['openid'], requestedAudience: ['https://api'], oidcContext: { login_hint: 'a' }, loginSkip: false, subject: '',
    loginSessionId: randomUUID(), loginCsrf: newFlowId(), loginRemember: false, loginRememberFor: 0, loginExtendSessionLifespan: false,
    acr: '', amr: [], forcedSubjectIdentifier: '', context: {}, identityProviderSessionId: '', loginWasUsed: false, loginError: null,
    loginAuthenticatedAt: null, consentChallengeId: null, consentSkip: false, consentCsrf: null, grantedScope: [], grantedAudience: [],
    consentRemember: false, consentRememberFor: 0, consentHandledAt: null, consentWasUsed: false, consentError: null,
    sessionIdToken: {}, sessionAccessToken: {},
    ...over,
  }
}
