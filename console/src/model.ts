// The admin API's objects as the console reads them (Hydra's oAuth2Client, jsonWebKey, ...),
// and this server's status report (GET /admin/orthrus/status).

export interface OAuth2Client {
  client_id: string
  client_name?: string
  client_secret?: string
  grant_types?: string[]
  response_types?: string[]
  redirect_uris?: string[]
  post_logout_redirect_uris?: string[]
  scope?: string
  audience?: string[]
  token_endpoint_auth_method?: string
  allowed_cors_origins?: string[]
  owner?: string
  contacts?: string[]
  client_uri?: string
  logo_uri?: string
  policy_uri?: string
  tos_uri?: string
  skip_consent?: boolean
  skip_logout_consent?: boolean
  subject_type?: string
  access_token_strategy?: string
  frontchannel_logout_uri?: string
  backchannel_logout_uri?: string
  jwks_uri?: string
  metadata?: unknown
  created_at?: string
  updated_at?: string
  [other: string]: unknown
}

export interface Jwk {
  kid?: string
  kty?: string
  alg?: string
  use?: string
  crv?: string
  n?: string
  [member: string]: unknown
}

export interface StatusReport {
  version: string
  issuer: string
  dev: boolean
  access_token_strategy: string
  listeners: Array<{ name: 'public' | 'admin'; listening?: string; url: string; tls: boolean; cors: boolean }>
  database: { dialect: string; reachable: boolean; migrations: { applied: number; pending: string[]; latest?: string } | null }
  key_sets: Array<{ set: string; keys: number }> | null
  live_tokens: { access_tokens: number; refresh_tokens: number } | null
  unavailable: string[]
}

export interface ConsentSession {
  consent_request_id?: string
  grant_scope?: string[]
  grant_access_token_audience?: string[]
  remember?: boolean
  remember_for?: number
  handled_at?: string
  consent_request?: { client?: OAuth2Client; subject?: string; requested_at?: string; login_session_id?: string }
}

export interface TrustRelationship {
  id: string
  issuer: string
  subject?: string
  allow_any_subject?: boolean
  scope?: string[]
  public_key?: { set?: string; kid?: string }
  expires_at?: string
  created_at?: string
}

/** The public URL of this server (urls.self.public), where clients talk to it. */
export const publicUrlOf = (s: StatusReport): string => s.listeners.find((l) => l.name === 'public')?.url ?? s.issuer
