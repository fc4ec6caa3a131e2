// OpenID Connect Discovery 1.0 §3 / RFC 8414: the provider metadata served at
// /.well-known/openid-configuration, built once from the configuration.
import { GRANTS } from '../oauth2/grants/index.js'
import { appendPath } from '../url-path.js'
import { AUTH_SIGNING_ALGS } from '../client/auth.js'
import { REGISTRATION_PATH } from '../client/registration.js'
import type { Config } from '../config/types.js'
import { RESPONSE_MODES_SUPPORTED, RESPONSE_TYPES_SUPPORTED } from '../oauth2/response-mode.js'
import { CREDENTIALS_SUPPORTED } from './verifiable-credentials.js'

/**
 * The endpoints, by metadata name and the path Hydra serves them at under the public URL. The served
 * document takes its list from the public route table instead (routes that say which metadata name
 * they answer), so only what is routed is advertised. The introspection endpoint is admin-only in
 * Hydra, so it is never advertised here.
 */
export const PUBLIC_ENDPOINTS = {
  authorization_endpoint: '/oauth2/auth',
  token_endpoint: '/oauth2/token',
  userinfo_endpoint: '/userinfo',
  jwks_uri: '/.well-known/jwks.json',
  revocation_endpoint: '/oauth2/revoke',
  end_session_endpoint: '/oauth2/sessions/logout',
  device_authorization_endpoint: '/oauth2/device/auth',
  pushed_authorization_request_endpoint: '/oauth2/par',
  credentials_endpoint_draft_00: '/credentials',
} as const

/** The metadata Orthrus serves; field names as in Hydra's `oidcConfiguration` schema. */
export type DiscoveryDocument = { issuer: string } & Record<keyof typeof PUBLIC_ENDPOINTS, string> & {
  grant_types_supported: string[]
  response_types_supported: string[]
  response_modes_supported: string[]
  code_challenge_methods_supported: string[]
  request_parameter_supported: boolean
  request_uri_parameter_supported: boolean
  /** RFC 9207 §3: the authorization response carries `iss`. */
  authorization_response_iss_parameter_supported: boolean
  subject_types_supported: string[]
  scopes_supported: string[]
  claims_supported: string[]
  token_endpoint_auth_methods_supported: string[]
  token_endpoint_auth_signing_alg_values_supported: string[]
  revocation_endpoint_auth_methods_supported: string[]
  id_token_signing_alg_values_supported: string[]
  id_token_signed_response_alg: string[]
  userinfo_signing_alg_values_supported: string[]
  userinfo_signed_response_alg: string[]
  /** OpenID Connect Front-Channel Logout 1.0 §3 and Back-Channel Logout 1.0 §2.1. */
  frontchannel_logout_supported: boolean
  frontchannel_logout_session_supported: boolean
  backchannel_logout_supported: boolean
  backchannel_logout_session_supported: boolean
  /** RFC 8414 §2 / OIDC Discovery §3: webfinger's client_registration_url, else ours when dynamic registration is on. */
  registration_endpoint?: string
  /** RFC 9449 §5.1: oauth2.dpop.signing_algorithms. */
  dpop_signing_alg_values_supported: string[]
  /** RFC 9126 §5: whether every authorization request must be pushed first. */
  require_pushed_authorization_requests: boolean
  /** Hydra's verifiable credentials (draft 00): the endpoint (when routed or overridden) and what it issues. */
  credentials_endpoint_draft_00?: string
  credentials_supported_draft_00?: typeof CREDENTIALS_SUPPORTED
}

/** Grants the token endpoint accepts: the grant registry, in its order. */
export const GRANT_TYPES_SUPPORTED: readonly string[] = GRANTS.map((g) => g.type)

const CLIENT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'none']
/** Hydra's default ID token key algorithm, when the key set cannot be read. */
export const DEFAULT_ID_TOKEN_ALG = 'RS256'

/**
 * webfinger.oidc_discovery: what an operator behind a gateway advertises instead of Orthrus' own
 * URLs (Hydra's OAuth2AuthURL, OAuth2TokenURL, JWKSURL, ..., and the registration endpoint).
 */
function overriddenEndpoints(config: Readonly<Config>): Record<string, string> {
  const o = config.webfinger.oidc_discovery
  const given = {
    authorization_endpoint: o.auth_url,
    token_endpoint: o.token_url,
    userinfo_endpoint: o.userinfo_url,
    credentials_endpoint_draft_00: o.verifiable_credentials_url,
    jwks_uri: o.jwks_url,
    device_authorization_endpoint: o.device_authorization_url,
    registration_endpoint: o.client_registration_url,
  }
  return Object.fromEntries(Object.entries(given).filter((e): e is [string, string] => e[1] !== undefined))
}

/** Every endpoint this configuration enables, by metadata name and path. */
export function configuredEndpoints(config: Readonly<Config>): Record<string, string> {
  return {
    ...PUBLIC_ENDPOINTS,
    ...(config.oidc.dynamic_client_registration.enabled ? { registration_endpoint: REGISTRATION_PATH } : {}),
  }
}

/**
 * `idTokenAlg`: the algorithm of the current ID token signing key; `paths`: metadata name → path
 * of each endpoint to advertise.
 */
export function discoveryDocument(
  config: Readonly<Config>,
  idTokenAlg: string = DEFAULT_ID_TOKEN_ALG,
  paths: Readonly<Record<string, string>> = configuredEndpoints(config),
): DiscoveryDocument {
  // A listener without the device or logout flow leaves those names out.
  const endpoints = {
    ...Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, appendPath(config.urls.self.public, path)])),
    ...overriddenEndpoints(config),
  } as Record<keyof typeof PUBLIC_ENDPOINTS, string>
  const { supported_claims, supported_scope } = config.webfinger.oidc_discovery
  return {
    // Exactly as configured: a relying party compares it byte for byte with `iss`.
    issuer: config.urls.self.issuer,
    ...endpoints,
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    // Every combination of code, token and id_token the authorization endpoint accepts (oauth2/response-mode.ts).
    response_types_supported: [...RESPONSE_TYPES_SUPPORTED],
    response_modes_supported: [...RESPONSE_MODES_SUPPORTED],
    // Hydra never allows `plain` (oauth2/pkce.ts).
    code_challenge_methods_supported: ['S256'],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    authorization_response_iss_parameter_supported: true,
    subject_types_supported: [...config.oidc.subject_identifiers.supported_types],
    // Hydra always advertises these, then webfinger.oidc_discovery.supported_scope / _claims.
    scopes_supported: [...new Set(['offline_access', 'offline', 'openid', ...supported_scope])],
    claims_supported: [...new Set(['sub', ...supported_claims])],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // RFC 8414 §2: required with private_key_jwt; the algorithms a client assertion may use.
    token_endpoint_auth_signing_alg_values_supported: [...AUTH_SIGNING_ALGS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    id_token_signing_alg_values_supported: [idTokenAlg],
    id_token_signed_response_alg: [idTokenAlg],
    userinfo_signing_alg_values_supported: ['none', idTokenAlg],
    userinfo_signed_response_alg: [idTokenAlg],
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    dpop_signing_alg_values_supported: [...config.oauth2.dpop.signing_algorithms],
    require_pushed_authorization_requests: config.oauth2.pushed_authorization_requests.required,
    ...('credentials_endpoint_draft_00' in endpoints ? { credentials_supported_draft_00: structuredClone(CREDENTIALS_SUPPORTED) } : {}),
  }
}
