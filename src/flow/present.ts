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
