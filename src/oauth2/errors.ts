// One catalogue of protocol errors. The HTTP edge is the only place that renders them.

const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  unsupported_response_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_client_metadata: 400,
  invalid_redirect_uri: 400,
  request_forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  payload_too_large: 413,
  method_not_allowed: 405,
}

export function statusFor(error: string): number {
  return STATUS[error] ?? 400
}

export class OAuthError extends Error {
  constructor(
    /** RFC error code ('invalid_grant') or, on admin routes, Hydra's sentence. */
    readonly error: string,
    /** Safe to show; never contains secrets. */
    readonly description: string,
    readonly status: number = statusFor(error),
    /** The specific reason, appended to the description on the wire. */
    readonly hint?: string,
    /** Shown only when oauth2.expose_internal_errors is set. */
    readonly debug?: string,
    /** Response headers the error requires, e.g. WWW-Authenticate for invalid_client (RFC 6749 §5.2). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(`${error}: ${description}${hint ? ` ${hint}` : ''}`)
    this.name = 'OAuthError'
  }
}

const REQUEST_DESCRIPTION =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.'

export const invalidRequest = (hint: string): OAuthError =>
  new OAuthError('invalid_request', REQUEST_DESCRIPTION, 400, hint)

export const invalidClientMetadata = (hint: string): OAuthError =>
  new OAuthError(
    'invalid_client_metadata',
    'The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client\'s Metadata.',
    400,
    hint,
  )

export const invalidRedirectUri = (hint: string): OAuthError =>
  new OAuthError(
    'invalid_redirect_uri',
    'The value of one or more redirect_uris is invalid.',
    400,
    hint,
  )

// The token endpoint's errors, with fosite's descriptions (RFC 6749 §5.2).
export const invalidClient = (
  hint: string | undefined,
  headers?: Readonly<Record<string, string>>,
  debug?: string,
): OAuthError =>
  new OAuthError(
    'invalid_client',
    'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
    401,
    hint,
    debug,
    headers,
  )

export const invalidGrant = (hint: string): OAuthError =>
  new OAuthError(
    'invalid_grant',
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    400,
    hint,
  )

export const invalidScope = (hint: string): OAuthError =>
  new OAuthError('invalid_scope', 'The requested scope is invalid, unknown, or malformed.', 400, hint)

export const unauthorizedClient = (hint: string): OAuthError =>
  new OAuthError('unauthorized_client', 'The client is not authorized to request a token using this method.', 400, hint)

export const unsupportedGrantType = (hint: string): OAuthError =>
  new OAuthError(
    'unsupported_grant_type',
    'The authorization grant type is not supported by the authorization server.',
    400,
    hint,
  )

// Hydra's admin API names a missing resource with this sentence.
export const notFound = (hint?: string): OAuthError =>
  new OAuthError('Unable to locate the resource', '', 404, hint)

// Hydra's x.ErrNotFound: what its admin API answers for a challenge that does not decode.
export const resourceNotFound = (): OAuthError =>
  new OAuthError('Not Found', 'Unable to locate the requested resource', 404)

export const conflict = (hint: string): OAuthError =>
  new OAuthError('Unable to insert or update resource because a resource with that value exists already', '', 409, hint)

export const serverError = (debug?: string): OAuthError =>
  new OAuthError(
    'server_error',
    'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
    500,
    undefined,
    debug,
  )

/** The wire form: `error_description` is the description, a space and the hint. */
export function errorBody(
  e: OAuthError,
  opts: { exposeDebug?: boolean; requestId?: string } = {},
): Record<string, unknown> {
  const description = [e.description, e.hint].filter((s) => s && s.length > 0).join(' ')
  const body: Record<string, unknown> = {
    error: e.error,
    error_description: description,
    status_code: e.status,
  }
  if (e.hint) body.error_hint = e.hint
  if (opts.exposeDebug && e.debug) body.error_debug = e.debug
  if (opts.requestId) body.request_id = opts.requestId
  return body
}
