// The login and consent requests as the admin API shows them (Hydra's oAuth2LoginRequest and
// oAuth2ConsentRequest), in Hydra's field order.
import type { Client } from '../client/model.js'
import { presentClient } from '../client/present.js'
import type { FlowCodec } from './codec.js'
import type { Flow } from './model.js'

export function presentLoginRequest(flow: Flow, client: Client, codec: FlowCodec): Record<string, unknown> {
  return {
    challenge: codec.encode('login_challenge', flow.id),
    requested_scope: [...flow.requestedScope],
    requested_access_token_audience: [...flow.requestedAudience],
    skip: flow.loginSkip,
    subject: flow.subject,
    oidc_context: structuredClone(flow.oidcContext),
    // The client without its secret: presentClient never shows one unless given.
    client: presentClient(client),
    request_url: flow.requestUrl,
    session_id: flow.loginSessionId,
  }
}

export function presentConsentRequest(flow: Flow, client: Client, codec: FlowCodec): Record<string, unknown> {
  const consentId = flow.consentChallengeId ?? ''
  return {
    challenge: codec.encode('consent_challenge', consentId),
    requested_scope: [...flow.requestedScope],
    requested_access_token_audience: [...flow.requestedAudience],
    skip: flow.consentSkip,
    subject: flow.subject,
    oidc_context: structuredClone(flow.oidcContext),
    client: presentClient(client),
    request_url: flow.requestUrl,
    // The same string the login app was given, so both apps can tie their requests together.
    login_challenge: codec.encode('login_challenge', flow.id),
    login_session_id: flow.loginSessionId,
    acr: flow.acr,
    amr: [...flow.amr],
    context: flow.context ?? {},
    consent_request_id: consentId,
  }
}

/** A granted consent as listOAuth2ConsentSessions shows it (Hydra's oAuth2ConsentSession). */
export function presentConsentSession(flow: Flow, client: Client, codec: FlowCodec): Record<string, unknown> {
  return {
    consent_request_id: flow.consentChallengeId ?? '',
    grant_scope: [...flow.grantedScope],
    grant_access_token_audience: [...flow.grantedAudience],
    session: { access_token: structuredClone(flow.sessionAccessToken), id_token: structuredClone(flow.sessionIdToken) },
    remember: flow.consentRemember,
    remember_for: flow.consentRememberFor,
    // Hydra's nullTime: RFC 3339, or null when never handled.
    handled_at: flow.consentHandledAt === null ? null : flow.consentHandledAt.toISOString(),
    context: flow.context ?? {},
    consent_request: presentConsentRequest(flow, client, codec),
  }
}
