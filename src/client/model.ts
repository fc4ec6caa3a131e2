// The OAuth 2.0 client as the admin API shows it (Hydra's `oAuth2Client`), and as stored.

export const LIFESPAN_FIELDS = [
  'authorization_code_grant_access_token_lifespan',
  'authorization_code_grant_id_token_lifespan',
  'authorization_code_grant_refresh_token_lifespan',
  'client_credentials_grant_access_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
  'implicit_grant_access_token_lifespan',
  'implicit_grant_id_token_lifespan',
  'jwt_bearer_grant_access_token_lifespan',
  'refresh_token_grant_access_token_lifespan',
  'refresh_token_grant_id_token_lifespan',
  'refresh_token_grant_refresh_token_lifespan',
] as const

export type LifespanField = (typeof LIFESPAN_FIELDS)[number]

/** Lifespans in milliseconds; null means "use the global ttl". */
export type Lifespans = Record<LifespanField, number | null>

/** How many previous secrets a rotation keeps valid, as Hydra does. */
export const MAX_ROTATED_SECRETS = 5

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>
}

/** Everything an admin can set on a client (the request body of create/update, validated). */
export interface ClientMetadata {
  client_id: string
  client_name: string
  /** Plaintext secret: only present on the way in, hashed before storage, never read back. */
  client_secret?: string
  redirect_uris: string[]
  grant_types: string[]
  response_types: string[]
  scope: string
  audience: string[]
  owner: string
  policy_uri: string
  tos_uri: string
  client_uri: string
  logo_uri: string
  contacts: string[]
  client_secret_expires_at: number
  subject_type: string
  sector_identifier_uri: string
  jwks: JsonWebKeySet | null
  jwks_uri: string
  request_uris: string[]
  token_endpoint_auth_method: string
  token_endpoint_auth_signing_alg: string
  request_object_signing_alg: string
  userinfo_signed_response_alg: string
  allowed_cors_origins: string[]
  frontchannel_logout_uri: string
  frontchannel_logout_session_required: boolean
  post_logout_redirect_uris: string[]
  backchannel_logout_uri: string
  backchannel_logout_session_required: boolean
  /** RFC 9126 §6: this client's authorization requests must come through POST /oauth2/par. */
  require_pushed_authorization_requests: boolean
  metadata: unknown
  skip_consent: boolean
  skip_logout_consent: boolean
  /** '' means the global `strategies.access_token`. */
  access_token_strategy: '' | 'opaque' | 'jwt'
  lifespans: Lifespans
  /** RFC 9449 §5.2: every token request must carry a DPoP proof (absent means false). */
  dpop_bound_access_tokens?: boolean
}

/** A stored client. The secret is only ever a hash here. */
export interface Client extends Omit<ClientMetadata, 'client_secret'> {
  /** Surrogate primary key (UUID). */
  pk: string
  /** Network id. */
  nid: string
  /** Hash of the client secret ('' for public clients). */
  secret_hash: string
  /**
   * Hashes of previous secrets, newest first (at most MAX_ROTATED_SECRETS): they still
   * authenticate the client until the rotated secrets are deleted or a new secret is set.
   */
  rotated_secret_hashes: string[]
  /** Hash of the dynamic-registration access token, '' when none. */
  registration_access_token_hash: string
  created_at: Date
  updated_at: Date
}

export const isPublicClient = (c: Pick<ClientMetadata, 'token_endpoint_auth_method'>): boolean =>
  c.token_endpoint_auth_method === 'none'

export function emptyLifespans(): Lifespans {
  return Object.fromEntries(LIFESPAN_FIELDS.map((f) => [f, null])) as Lifespans
}
