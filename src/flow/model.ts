// One login-and-consent flow, as Hydra 2 keeps it: a single record that moves through a fixed
// set of states. Every step is a conditional transition from the states it may start in, so a
// challenge or verifier works once and a step that lost a race notices.
import type { AuthorizeRequest } from '../oauth2/authorize.js'

// Hydra's numbers (flow/flow.go), so the table reads the same.
export const FlowState = {
  LoginInitialized: 1,
  /** Accepted or rejected by the login app; the login verifier has not been used yet. */
  LoginUnused: 2,
  LoginUsed: 3,
  ConsentInitialized: 4,
  ConsentUnused: 5,
  ConsentUsed: 6,
  LoginError: 128,
  ConsentError: 129,
} as const

export type FlowStateValue = (typeof FlowState)[keyof typeof FlowState]

/** States in which the login app may still accept or reject. */
export const LOGIN_OPEN: readonly FlowStateValue[] = [FlowState.LoginInitialized, FlowState.LoginUnused, FlowState.LoginError]
/** States in which the login verifier may be used. */
export const LOGIN_DECIDED: readonly FlowStateValue[] = [FlowState.LoginUnused, FlowState.LoginError]
export const CONSENT_OPEN: readonly FlowStateValue[] = [
  FlowState.ConsentInitialized,
  FlowState.ConsentUnused,
  FlowState.ConsentError,
]
export const CONSENT_DECIDED: readonly FlowStateValue[] = [FlowState.ConsentUnused, FlowState.ConsentError]

/** The body of a login or consent rejection (Hydra's rejectOAuth2Request), with defaults filled. */
export interface DeniedError {
  error: string
  error_description: string
  error_hint: string
  error_debug: string
  status_code: number
}

/** OpenID Connect parameters for the login and consent apps (oAuth2ConsentRequestOpenIDConnectContext). */
export interface OidcContext {
  acr_values?: string[]
  /** The `claims` request parameter (OpenID Connect Core §5.5), for the login and consent apps. */
  claims?: Record<string, unknown>
  display?: string
  id_token_hint_claims?: Record<string, unknown>
  login_hint?: string
  ui_locales?: string[]
}

export interface Flow {
  /** The login challenge id (hydra_oauth2_flow.login_challenge). */
  id: string
  clientId: string
  state: FlowStateValue
  /** Whole seconds, as Hydra truncates: auth_time comparisons need equal precision. */
  requestedAt: Date
  /** The authorization URL as requested; the verifiers are appended to it. */
  requestUrl: string
  request: AuthorizeRequest
  requestedScope: string[]
  requestedAudience: string[]
  oidcContext: OidcContext
  loginSkip: boolean
  subject: string
  loginSessionId: string
  loginCsrf: string
  loginRemember: boolean
  loginRememberFor: number
  loginExtendSessionLifespan: boolean
  acr: string
  amr: string[]
  forcedSubjectIdentifier: string
  context: unknown
  identityProviderSessionId: string
  loginWasUsed: boolean
  loginError: DeniedError | null
  loginAuthenticatedAt: Date | null
  consentChallengeId: string | null
  consentSkip: boolean
  consentCsrf: string | null
  grantedScope: string[]
  grantedAudience: string[]
  consentRemember: boolean
  /** Seconds; 0 means forever. */
  consentRememberFor: number
  consentHandledAt: Date | null
  consentWasUsed: boolean
  consentError: DeniedError | null
  sessionIdToken: Record<string, unknown>
  sessionAccessToken: Record<string, unknown>
}

/** A login remembered by the session cookie (hydra_oauth2_authentication_session). */
export interface LoginSession {
  id: string
  subject: string
  authenticatedAt: Date
  remember: boolean
  identityProviderSessionId: string
  expiresAt: Date | null
}

/** Whole seconds, as Hydra stores flow instants. */
export const toSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000)
