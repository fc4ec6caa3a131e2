// OpenID Connect Discovery 1.0 §3 / RFC 8414: the provider metadata served at
// /.well-known/openid-configuration, built once from the configuration.
import { AUTH_SIGNING_ALGS } from '../client/auth.js'
import type { Config } from '../config/types.js'

/**
 * The endpoints that exist so far, by metadata name and path under the public URL. Only what
 * answers is advertised; a feature that adds an endpoint (authorization_endpoint → /oauth2/auth,
 * userinfo_endpoint → /userinfo, end_session_endpoint → /oauth2/sessions/logout, ...) adds its line.
 * The introspection endpoint is admin-only in Hydra, so it is never advertised here.
 */
export const PUBLIC_ENDPOINTS = {
  token_endpoint: '/oauth2/token',
  jwks_uri: '/.well-known/jwks.json',
  revocation_endpoint: '/oauth2/revoke',
} as const

/** The metadata Orthrus serves; field names as in Hydra's `oidcConfiguration` schema. */
export type DiscoveryDocument = { issuer: string } & Record<keyof typeof PUBLIC_ENDPOINTS, string> & {
  grant_types_supported: string[]
  response_types_supported: string[]
  subject_types_supported: string[]
  scopes_supported: string[]
  claims_supported: string[]
  token_endpoint_auth_methods_supported: string[]
  token_endpoint_auth_signing_alg_values_supported: string[]
  revocation_endpoint_auth_methods_supported: string[]
  id_token_signing_alg_values_supported: string[]
  id_token_signed_response_alg: string[]
  userinfo_signed_response_alg: string[]
}

/** Grants the token endpoint accepts; each grant adds itself here when it lands. */
export const GRANT_TYPES_SUPPORTED: readonly string[] = ['client_credentials']

const CLIENT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'none']
const ID_TOKEN_ALG = 'RS256'

/** `path` appended to the URL's own path, as Hydra's urlx.AppendPaths does (a base path is kept). */
export function appendPath(base: string, path: string): string {
  const url = new URL(base)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
  url.search = ''
  url.hash = ''
  return url.href
}

export function discoveryDocument(config: Readonly<Config>): DiscoveryDocument {
  const endpoints = Object.fromEntries(
    Object.entries(PUBLIC_ENDPOINTS).map(([name, path]) => [name, appendPath(config.urls.self.public, path)]),
  ) as Record<keyof typeof PUBLIC_ENDPOINTS, string>
  return {
    // Exactly as configured: a relying party compares it byte for byte with `iss`.
    issuer: config.urls.self.issuer,
    ...endpoints,
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    // REQUIRED by OIDC Discovery §3 even before the authorization endpoint exists: Hydra's list.
    // grant_types_supported is what tells a client what works today.
    response_types_supported: ['code', 'code id_token', 'id_token', 'token id_token', 'token', 'token id_token code'],
    subject_types_supported: [...config.oidc.subject_identifiers.supported_types],
    scopes_supported: ['offline_access', 'offline', 'openid'],
    claims_supported: ['sub'],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // RFC 8414 §2: required with private_key_jwt; the algorithms a client assertion may use.
    token_endpoint_auth_signing_alg_values_supported: [...AUTH_SIGNING_ALGS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
    id_token_signed_response_alg: [ID_TOKEN_ALG],
    userinfo_signed_response_alg: [ID_TOKEN_ALG],
  }
}
