// Typed view of the tables, for Kysely. Column names follow Hydra 2's tables.
import type { ColumnType, Generated } from 'kysely'

/** Instants are Date on PostgreSQL/MySQL and ISO-8601 text on SQLite; always written as Date. */
export type Instant = ColumnType<Date | string, Date, Date>
/** Booleans come back as 0/1 from SQLite and MySQL. */
export type Bool = ColumnType<boolean | number, boolean, boolean>
/** BIGINT comes back as a string from PostgreSQL. */
export type BigInt = ColumnType<number | string, number, number>

export interface NetworksTable {
  id: string
  created_at: Instant
  updated_at: Instant
}

export interface ClientTable {
  pk: string
  nid: string
  id: string
  client_name: string
  client_secret: string
  redirect_uris: string
  grant_types: string
  response_types: string
  scope: string
  audience: string
  owner: string
  policy_uri: string
  tos_uri: string
  client_uri: string
  logo_uri: string
  contacts: string
  client_secret_expires_at: BigInt
  sector_identifier_uri: string
  jwks: string | null
  jwks_uri: string
  request_uris: string
  token_endpoint_auth_method: string
  token_endpoint_auth_signing_alg: string
  request_object_signing_alg: string
  userinfo_signed_response_alg: string
  subject_type: string
  allowed_cors_origins: string
  frontchannel_logout_uri: string
  frontchannel_logout_session_required: Bool
  post_logout_redirect_uris: string
  backchannel_logout_uri: string
  backchannel_logout_session_required: Bool
  metadata: string | null
  registration_access_token_signature: string
  skip_consent: Bool
  skip_logout_consent: Bool
  dpop_bound_access_tokens: Bool
  /** Orthrus addition (migration 0014): RFC 9126 §6. */
  require_pushed_authorization_requests: Bool
  access_token_strategy: string
  /** JSON array of previous secret hashes, newest first; NULL when none. */
  rotated_secrets: string | null
  authorization_code_grant_access_token_lifespan: BigInt | null
  authorization_code_grant_id_token_lifespan: BigInt | null
  authorization_code_grant_refresh_token_lifespan: BigInt | null
  client_credentials_grant_access_token_lifespan: BigInt | null
  device_authorization_grant_access_token_lifespan: BigInt | null
  device_authorization_grant_id_token_lifespan: BigInt | null
  device_authorization_grant_refresh_token_lifespan: BigInt | null
  implicit_grant_access_token_lifespan: BigInt | null
  implicit_grant_id_token_lifespan: BigInt | null
  jwt_bearer_grant_access_token_lifespan: BigInt | null
  refresh_token_grant_access_token_lifespan: BigInt | null
  refresh_token_grant_id_token_lifespan: BigInt | null
  refresh_token_grant_refresh_token_lifespan: BigInt | null
  created_at: Instant
  updated_at: Instant
}

/** One JSON Web Key; `keydata` is the private JWK sealed with secrets.system (purpose "jwk"). */
export interface JwkTable {
  pk: string
  nid: string
  /** The key set id, e.g. hydra.openid.id-token. */
  sid: string
  kid: string
  version: Generated<number>
  keydata: string
  created_at: Instant
}

/** hydra_oauth2_access and hydra_oauth2_refresh: a token's signature, never the token. */
export interface OAuth2TokenTable {
  signature: string
  nid: string
  request_id: string
  requested_at: Instant
  client_id: string
  /** Requested scopes, '|'-joined as in Hydra. */
  scope: string
  granted_scope: string
  requested_audience: string
  granted_audience: string
  /** The token request's parameters without credentials, form-encoded. */
  form_data: string
  /** Sealed JSON (purpose "session"). */
  session_data: string
  subject: string
  active: Bool
  challenge_id: string | null
  expires_at: Instant | null
}

export interface OAuth2RefreshTable extends OAuth2TokenTable {
  first_used_at: Instant | null
  access_token_signature: string | null
  used_times: BigInt | null
}

/** Used client-assertion jtis: signature is sha256(jti) in hex. */
export interface OAuth2JtiTable {
  signature: string
  nid: string
  expires_at: Instant
}

/** orthrus_dpop_jti: DPoP proofs already presented (RFC 9449 §11.1), until they expire. */
export interface DpopJtiTable {
  signature: string
  nid: string
  expires_at: Instant
}

/** hydra_oauth2_flow: one login and its consent. Lists and objects are JSON text. */
export interface OAuth2FlowTable {
  login_challenge: string
  nid: string
  client_id: string
  state: BigInt
  requested_at: Instant
  request_url: string
  authorize_request: string
  requested_scope: string
  requested_at_audience: string
  oidc_context: string
  login_skip: Bool
  subject: string
  login_session_id: string
  login_csrf: string
  login_remember: Bool
  login_remember_for: BigInt
  login_extend_session_lifespan: Bool
  acr: string
  amr: string
  forced_subject_identifier: string
  context: string
  identity_provider_session_id: string
  login_was_used: Bool
  login_error: string | null
  login_authenticated_at: Instant | null
  consent_challenge_id: string | null
  consent_skip: Bool
  consent_csrf: string | null
  granted_scope: string
  granted_at_audience: string
  consent_remember: Bool
  consent_remember_for: BigInt
  consent_handled_at: Instant | null
  consent_was_used: Bool
  consent_error: string | null
  session_id_token: string
  session_access_token: string
}

/** A remembered (or merely recorded) login: the session cookie names its id. */
export interface AuthenticationSessionTable {
  id: string
  nid: string
  authenticated_at: Instant | null
  subject: string
  remember: Bool
  identity_provider_session_id: string | null
  expires_at: Instant | null
}

/** hydra_oauth2_code: an authorization code by signature, with its PKCE challenge. */
export interface OAuth2CodeTable extends OAuth2TokenTable {
  code_challenge: string | null
  code_challenge_method: string | null
}

/** hydra_oauth2_logout_request: an RP-initiated (or browser-initiated) logout awaiting its verifier. */
export interface LogoutRequestTable {
  challenge: string
  nid: string
  subject: string
  sid: string
  client_id: string | null
  request_url: string
  redir_url: string
  csrf: string
  rp_initiated: Bool
  accepted: Bool
  rejected: Bool
  was_used: Bool
  requested_at: Instant
  expires_at: Instant
}

/** RFC 7523 trust relationships; scope is a JSON array, key_data the sealed public JWK. */
export interface TrustedJwtBearerIssuerTable {
  id: string
  nid: string
  issuer: string
  subject: string
  allow_any_subject: Bool
  scope: string
  key_set: string
  key_id: string
  key_data: string
  created_at: Instant
  expires_at: Instant
}

/** hydra_oauth2_device_auth_codes: an RFC 8628 device authorization by device and user code signature. */
export interface DeviceAuthCodeTable {
  device_code_signature: string
  nid: string
  user_code_signature: string
  request_id: string
  requested_at: Instant
  client_id: string
  scope: string
  granted_scope: string
  requested_audience: string
  granted_audience: string
  form_data: string
  session_data: string
  subject: string
  status: BigInt
  user_code_state: BigInt
  challenge_id: string | null
  polling_interval: BigInt
  last_polled_at: Instant | null
  expires_at: Instant
}

/** hydra_oauth2_device_challenge: the browser's device verification before a user code is bound. */
export interface DeviceChallengeTable {
  id: string
  nid: string
  csrf: string
  state: BigInt
  failed_attempts: BigInt
  device_code_signature: string | null
  requested_at: Instant
  expires_at: Instant
}

/** orthrus_oauth2_par: an RFC 9126 pushed authorization request, keyed by sha256 of its request_uri. */
export interface PushedAuthorizationRequestTable {
  signature: string
  nid: string
  client_id: string
  /** The validated authorization request parameters, sealed (or JSON with encrypt_at_rest off). */
  request_data: string
  used: Bool
  requested_at: Instant
  expires_at: Instant
}

export interface Database {
  networks: NetworksTable
  hydra_client: ClientTable
  hydra_oauth2_access: OAuth2TokenTable
  hydra_oauth2_refresh: OAuth2RefreshTable
  hydra_oauth2_jti_blacklist: OAuth2JtiTable
  orthrus_dpop_jti: DpopJtiTable
  hydra_jwk: JwkTable
  hydra_oauth2_flow: OAuth2FlowTable
  hydra_oauth2_authentication_session: AuthenticationSessionTable
  hydra_oauth2_code: OAuth2CodeTable
  hydra_oauth2_logout_request: LogoutRequestTable
  hydra_oauth2_trusted_jwt_bearer_issuer: TrustedJwtBearerIssuerTable
  hydra_oauth2_device_auth_codes: DeviceAuthCodeTable
  hydra_oauth2_device_challenge: DeviceChallengeTable
  orthrus_oauth2_par: PushedAuthorizationRequestTable
}

// Generated is re-exported so later tables can use auto-increment columns if ever needed.
export type { Generated }
