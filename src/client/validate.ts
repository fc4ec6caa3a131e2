// Turns an untrusted create/update body into ClientMetadata, following Hydra's client validator.
import { parseDuration } from '../config/duration.js'
import type { HasherConfig } from '../crypto/hasher.js'
import { randomId } from '../crypto/random.js'
import { invalidClientMetadata } from '../oauth2/errors.js'
import { checkAuthMethod, checkKeySource, checkSecret, checkSigningAlg, readJwks } from './auth.js'
import { asBody, checkOneOf, raw, readBoolean, readInteger, readString, readStrings, show } from './fields.js'
import type { Body } from './fields.js'
import { checkCoherence, checkGrantTypes, checkResponseTypes } from './grants.js'
import { LIFESPAN_FIELDS, emptyLifespans } from './model.js'
import type { Client, ClientMetadata, Lifespans } from './model.js'
import { checkPostLogoutRedirectUris, checkRedirectUris, checkWebUri, normaliseCorsOrigin } from './uris.js'

export interface ValidationContext {
  dev: boolean
  /** The stored client on update. */
  existing?: Client
  mode: 'admin' | 'dynamic'
  /** oidc.subject_identifiers.supported_types */
  subjectTypes: string[]
  /** oidc.dynamic_client_registration.default_scope; Hydra's default when not given. */
  defaultScope?: string[]
  /** oauth2.hashers.algorithm, which bounds the length of a chosen secret; pbkdf2 when not given. */
  secretHashedWith?: HasherConfig['algorithm']
}

export const DEFAULT_SCOPE = ['offline_access', 'offline', 'openid']

const MAX_CLIENT_ID_LENGTH = 255
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/
const ACCESS_TOKEN_STRATEGIES = ['', 'opaque', 'jwt'] as const
const USERINFO_ALGS = ['none', 'RS256']

// Only an administrator may set these; a registering client could otherwise skip consent.
const ADMIN_ONLY_FIELDS = ['metadata', 'skip_consent', 'skip_logout_consent', 'access_token_strategy'] as const

function readLifespans(body: Body): Lifespans {
  const out = emptyLifespans()
  for (const field of LIFESPAN_FIELDS) {
    const v = raw(body, field)
    if (v === undefined || v === null) continue
    const ms = typeof v === 'string' ? parseDuration(v) : undefined
    if (ms === undefined) {
      throw invalidClientMetadata(`Field ${field} must be null or a duration such as "1h30m", got ${show(v)}.`)
    }
    out[field] = ms
  }
  return out
}

/** The body of PUT /admin/clients/{id}/lifespans: every field a duration or null. */
export function validateLifespans(body: unknown): Lifespans {
  return readLifespans(asBody(body))
}

function clientId(body: Body, ctx: ValidationContext): string {
  const given = readString(body, 'client_id')
  if (ctx.mode === 'dynamic') {
    // RFC 7592 §2.2: an update repeats the issued client_id; a new registration names none.
    if (given !== '' && given !== ctx.existing?.client_id) {
      throw invalidClientMetadata(`Field client_id can not be chosen in dynamic client registration, got ${show(given)}.`)
    }
    return ctx.existing?.client_id ?? randomId()
  }
  // As in Hydra, the id of an existing client comes from the URL, never from the body.
  if (ctx.existing) return ctx.existing.client_id
  if (given === '') return randomId()
  if (given.length > MAX_CLIENT_ID_LENGTH) {
    throw invalidClientMetadata(`Field client_id must not be longer than ${MAX_CLIENT_ID_LENGTH} characters.`)
  }
  if (WHITESPACE_OR_CONTROL.test(given)) {
    throw invalidClientMetadata(`Field client_id must not contain whitespace or control characters, got ${show(given)}.`)
  }
  return given
}

function scope(body: Body, ctx: ValidationContext): string {
  const tokens = readString(body, 'scope').split(' ').filter((t) => t !== '')
  for (const t of tokens) {
    if (!SCOPE_TOKEN.test(t)) {
      throw invalidClientMetadata(`Field scope contains the invalid scope token ${show(t)}.`)
    }
  }
  return (tokens.length > 0 ? tokens : (ctx.defaultScope ?? DEFAULT_SCOPE)).join(' ')
}

function audience(body: Body): string[] {
  const values = readStrings(body, 'audience')
  for (const a of values) {
    if (a === '' || WHITESPACE_OR_CONTROL.test(a)) {
      throw invalidClientMetadata(`Field audience contains ${show(a)}; entries must be non-empty and without whitespace.`)
    }
  }
  return values
}

function subjectType(body: Body, ctx: ValidationContext, redirects: URL[], sectorUri: string): string {
  let value = readString(body, 'subject_type')
  if (value === '') value = ctx.subjectTypes.includes('public') ? 'public' : (ctx.subjectTypes[0] ?? 'public')
  checkOneOf('subject_type', value, ctx.subjectTypes)
  // OIDC Dynamic Client Registration §5: pairwise identifiers are computed per host, so a
  // client spread over several hosts needs one sector identifier to tie them together.
  const hosts = new Set(redirects.map((u) => u.hostname))
  if (value === 'pairwise' && hosts.size > 1 && sectorUri === '') {
    throw invalidClientMetadata(
      'Field sector_identifier_uri must be set when subject_type is pairwise and redirect_uris use more than one host.',
    )
  }
  return value
}

function rejectAdminOnlyFields(body: Body, existing: Client | undefined): void {
  for (const field of ADMIN_ONLY_FIELDS) {
    const v = raw(body, field)
    // Defaults are tolerated so a client may send back what the registration endpoint returned,
    // and so is the value an administrator stored (RFC 7592 §2.2: the client sends every field).
    if (v === undefined || v === null || v === false || v === '') continue
    if (existing && field !== 'metadata' && v === existing[field]) continue
    throw invalidClientMetadata(`Field ${field} can not be set in dynamic client registration.`)
  }
  const lifespans = readLifespans(body)
  const changed = LIFESPAN_FIELDS.find((f) => lifespans[f] !== null && lifespans[f] !== existing?.lifespans[f])
  if (changed !== undefined) {
    throw invalidClientMetadata(`Field ${changed} can not be set in dynamic client registration.`)
  }
}

type AdminOnly = Pick<ClientMetadata, (typeof ADMIN_ONLY_FIELDS)[number] | 'lifespans'>

function adminOnly(body: Body, ctx: ValidationContext): AdminOnly {
  if (ctx.mode === 'dynamic') {
    rejectAdminOnlyFields(body, ctx.existing)
    const e = ctx.existing
    return {
      metadata: e ? structuredClone(e.metadata) : null,
      skip_consent: e?.skip_consent ?? false,
      skip_logout_consent: e?.skip_logout_consent ?? false,
      access_token_strategy: e?.access_token_strategy ?? '',
      lifespans: e ? { ...e.lifespans } : emptyLifespans(),
    }
  }
  const strategy = readString(body, 'access_token_strategy')
  checkOneOf('access_token_strategy', strategy, ACCESS_TOKEN_STRATEGIES)
  const metadata = raw(body, 'metadata')
  return {
    metadata: metadata === undefined ? null : metadata,
    skip_consent: readBoolean(body, 'skip_consent'),
    skip_logout_consent: readBoolean(body, 'skip_logout_consent'),
    access_token_strategy: strategy as ClientMetadata['access_token_strategy'],
    lifespans: readLifespans(body),
  }
}

export function validateClientMetadata(input: unknown, ctx: ValidationContext): ClientMetadata {
  const body = asBody(input)
  const dev = ctx.dev
  const method = checkAuthMethod(readString(body, 'token_endpoint_auth_method'))
  const signingAlg = readString(body, 'token_endpoint_auth_signing_alg')
  checkSigningAlg(method, signingAlg)
  const secret = checkSecret(readString(body, 'client_secret'), method, ctx.mode === 'dynamic', ctx.secretHashedWith)

  const jwks = readJwks(body)
  const jwksUri = readString(body, 'jwks_uri')
  checkWebUri('jwks_uri', jwksUri, { dev, loopbackHttp: true })
  checkKeySource(method, jwks, jwksUri)

  const grantTypes = checkGrantTypes(readStrings(body, 'grant_types'), method === 'none')
  const responseTypes = checkResponseTypes(readStrings(body, 'response_types'))
  checkCoherence(grantTypes, responseTypes)

  const redirectUris = readStrings(body, 'redirect_uris')
  const redirects = checkRedirectUris(redirectUris, dev)
  const postLogoutRedirectUris = readStrings(body, 'post_logout_redirect_uris')
  checkPostLogoutRedirectUris(postLogoutRedirectUris, redirects, dev)
  const requestUris = readStrings(body, 'request_uris')
  // The server fetches request objects itself, so only https outside dev.
  for (const u of requestUris) checkWebUri('request_uris', u, { dev, loopbackHttp: false })

  const web = (field: string): string => {
    const value = readString(body, field)
    checkWebUri(field, value, { dev, loopbackHttp: true })
    return value
  }
  const urls = {
    jwks_uri: jwksUri,
    sector_identifier_uri: web('sector_identifier_uri'),
    client_uri: web('client_uri'),
    logo_uri: web('logo_uri'),
    policy_uri: web('policy_uri'),
    tos_uri: web('tos_uri'),
    frontchannel_logout_uri: web('frontchannel_logout_uri'),
    backchannel_logout_uri: web('backchannel_logout_uri'),
  }

  const userinfoAlg = readString(body, 'userinfo_signed_response_alg') || 'none'
  checkOneOf('userinfo_signed_response_alg', userinfoAlg, USERINFO_ALGS)
  // Type-checked, then ignored: like Hydra, secrets never expire and 0 is always reported.
  readInteger(body, 'client_secret_expires_at')

  const metadata: ClientMetadata = {
    client_id: clientId(body, ctx),
    client_name: readString(body, 'client_name'),
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: responseTypes,
    scope: scope(body, ctx),
    audience: audience(body),
    owner: readString(body, 'owner'),
    contacts: readStrings(body, 'contacts'),
    client_secret_expires_at: 0,
    subject_type: subjectType(body, ctx, redirects, urls.sector_identifier_uri),
    jwks,
    request_uris: requestUris,
    token_endpoint_auth_method: method,
    token_endpoint_auth_signing_alg: signingAlg,
    request_object_signing_alg: readString(body, 'request_object_signing_alg'),
    userinfo_signed_response_alg: userinfoAlg,
    allowed_cors_origins: readStrings(body, 'allowed_cors_origins').map(normaliseCorsOrigin),
    frontchannel_logout_session_required: readBoolean(body, 'frontchannel_logout_session_required'),
    post_logout_redirect_uris: postLogoutRedirectUris,
    backchannel_logout_session_required: readBoolean(body, 'backchannel_logout_session_required'),
    require_pushed_authorization_requests: readBoolean(body, 'require_pushed_authorization_requests'),
    ...urls,
    ...adminOnly(body, ctx),
  }
  if (secret !== undefined) metadata.client_secret = secret
  if (readBoolean(body, 'dpop_bound_access_tokens')) metadata.dpop_bound_access_tokens = true
  return metadata
}
