// The client as the admin API answers it, in Hydra's field order. Every editable field is
// present unless it holds its default, so a JSON Patch against this document round-trips.
import { formatDuration } from '../config/duration.js'
import { LIFESPAN_FIELDS } from './model.js'
import type { Client, ClientMetadata } from './model.js'

// RFC 3339 with whole seconds when there are no milliseconds, as Hydra prints times.
const rfc3339 = (d: Date): string => d.toISOString().replace('.000Z', 'Z')

export function presentClient(c: Client, opts: { secret?: string } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { client_id: c.client_id, client_name: c.client_name }
  if (opts.secret !== undefined) out.client_secret = opts.secret
  Object.assign(out, {
    redirect_uris: [...c.redirect_uris],
    grant_types: [...c.grant_types],
    response_types: [...c.response_types],
    scope: c.scope,
    audience: [...c.audience],
    owner: c.owner,
    policy_uri: c.policy_uri,
    allowed_cors_origins: [...c.allowed_cors_origins],
    tos_uri: c.tos_uri,
    client_uri: c.client_uri,
    logo_uri: c.logo_uri,
    contacts: [...c.contacts],
    client_secret_expires_at: c.client_secret_expires_at,
    subject_type: c.subject_type,
    sector_identifier_uri: c.sector_identifier_uri,
  })
  if (c.jwks !== null) out.jwks = structuredClone(c.jwks)
  if (c.jwks_uri !== '') out.jwks_uri = c.jwks_uri
  out.request_uris = [...c.request_uris]
  out.token_endpoint_auth_method = c.token_endpoint_auth_method
  if (c.token_endpoint_auth_signing_alg !== '') out.token_endpoint_auth_signing_alg = c.token_endpoint_auth_signing_alg
  Object.assign(out, {
    request_object_signing_alg: c.request_object_signing_alg,
    userinfo_signed_response_alg: c.userinfo_signed_response_alg,
    created_at: rfc3339(c.created_at),
    updated_at: rfc3339(c.updated_at),
  })
  if (c.metadata !== null && c.metadata !== undefined) out.metadata = structuredClone(c.metadata)
  Object.assign(out, {
    frontchannel_logout_uri: c.frontchannel_logout_uri,
    frontchannel_logout_session_required: c.frontchannel_logout_session_required,
    post_logout_redirect_uris: [...c.post_logout_redirect_uris],
    backchannel_logout_uri: c.backchannel_logout_uri,
    backchannel_logout_session_required: c.backchannel_logout_session_required,
    skip_consent: c.skip_consent,
    skip_logout_consent: c.skip_logout_consent,
  })
  // RFC 9126 §6 client metadata, an Orthrus addition to Hydra's client: shown when set.
  if (c.require_pushed_authorization_requests) out.require_pushed_authorization_requests = true
  if (c.access_token_strategy !== '') out.access_token_strategy = c.access_token_strategy
  if (c.dpop_bound_access_tokens === true) out.dpop_bound_access_tokens = true
  for (const field of LIFESPAN_FIELDS) {
    const ms = c.lifespans[field]
    out[field] = ms === null ? null : formatDuration(ms)
  }
  return out
}

/** The editable view of a stored client: its metadata without secret or bookkeeping. */
export function toMetadata(c: Client): ClientMetadata {
  const {
    pk: _pk,
    nid: _nid,
    secret_hash: _secretHash,
    rotated_secret_hashes: _rotated,
    registration_access_token_hash: _registration,
    created_at: _created,
    updated_at: _updated,
    ...metadata
  } = c
  // Deep copy: callers edit the result, the stored client must not change with it.
  return structuredClone(metadata)
}
