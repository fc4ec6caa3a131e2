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
  access_token_strategy: string
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

export interface Database {
  networks: NetworksTable
  hydra_client: ClientTable
}

// Generated is re-exported so later tables can use auto-increment columns if ever needed.
export type { Generated }
