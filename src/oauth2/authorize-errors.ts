// Errors of the authorization endpoint and the login/consent flow, with fosite's descriptions
// (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6, RFC 9101 §6.3).
import { OAuthError } from './errors.js'

const make =
  (error: string, description: string, status = 400) =>
  (hint?: string): OAuthError =>
    new OAuthError(error, description, status, hint)

export const accessDenied = make('access_denied', 'The resource owner or authorization server denied the request.', 403)

export const loginRequired = make('login_required', 'The Authorization Server requires End-User authentication.')

export const consentRequired = make('consent_required', 'The Authorization Server requires End-User consent.')

export const invalidState = make(
  'invalid_state',
  'The state is missing or does not have enough characters and is therefore considered too weak.',
)

export const unsupportedResponseType = make(
  'unsupported_response_type',
  'The authorization server does not support obtaining a token using this method.',
)

export const unsupportedResponseMode = make(
  'unsupported_response_mode',
  'The authorization server does not support obtaining a response using this response mode.',
)

export const requestForbidden = make('request_forbidden', 'The request is not allowed.', 403)

export const requestUnauthorized = make('request_unauthorized', 'The request could not be authorized.', 401)

export const invalidRequestObject = make('invalid_request_object', 'The request parameter contains an invalid Request Object.')

export const invalidRequestUri = make(
  'invalid_request_uri',
  'The request_uri in the Authorization Request returns an error or contains invalid data.',
)

export const requestUriNotSupported = make(
  'request_uri_not_supported',
  'The OP does not support use of the request_uri parameter.',
)

export const registrationNotSupported = make(
  'registration_not_supported',
  'The OP does not support use of the registration parameter.',
)

/**
 * An error the login or consent app chose when rejecting a request (Hydra's rejectOAuth2Request).
 * RFC 6749 §4.1.2.1 names `access_denied` for a refusal by the resource owner: the default here.
 */
export function deniedError(e: {
  error: string
  error_description: string
  error_hint: string
  error_debug: string
  status_code: number
}): OAuthError {
  const error = e.error === '' ? 'access_denied' : e.error
  const description =
    e.error_description !== '' ? e.error_description : error === 'access_denied' ? accessDenied().description : ''
  const status = e.status_code >= 400 && e.status_code <= 599 ? e.status_code : 400
  return new OAuthError(
    error,
    description,
    status,
    e.error_hint === '' ? undefined : e.error_hint,
    e.error_debug === '' ? undefined : e.error_debug,
  )
}
