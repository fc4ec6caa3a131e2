// What each route of Orthrus means, for the generated OpenAPI document (src/http/openapi.ts).
// Keyed by method and path in OpenAPI form; admin routes are keyed by their /admin path (the
// prefix-less aliases are looked up under it). operationIds are Hydra's for the same paths, so
// clients generated from either description call the same names. A route missing here is still
// listed, with a generated operationId.

export type Schema = Record<string, unknown>

export interface Operation {
  operationId: string
  tags: string[]
  summary: string
  parameters?: Schema[]
  requestBody?: Schema
  responses: Record<string, Schema>
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Schema) => ({ 'application/json': { schema } })
const ok = (name: string, description = 'Success'): Schema => ({ description, content: json(ref(name)) })
const empty = (description: string): Schema => ({ description })
const failure: Schema = { description: 'An error in the RFC 6749 shape', content: json(ref('errorOAuth2')) }
const pathParam = (name: string, description: string): Schema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })
const queryParam = (name: string, description: string, required = false): Schema => ({ name, in: 'query', required, description, schema: { type: 'string' } })
const jsonBody = (name: string, required = true): Schema => ({ required, content: json(ref(name)) })
const formBody = (properties: Record<string, string>, required: string[]): Schema => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', required, properties: Object.fromEntries(Object.entries(properties).map(([k, d]) => [k, { type: 'string', description: d }])) },
    },
  },
})

const op = (operationId: string, tags: string[], summary: string, responses: Record<string, Schema>, extra: Partial<Operation> = {}): Operation => ({
  operationId,
  tags,
  summary,
  ...extra,
  responses: { ...responses, ...(responses.default === undefined && !('500' in responses) ? { default: failure } : {}) },
})

const clientId = pathParam('id', 'The client id')
const keySet = pathParam('set', 'The key set id')
const keyId = pathParam('kid', 'The key id')
const loginChallenge = queryParam('login_challenge', 'The login challenge', true)
const consentChallenge = queryParam('consent_challenge', 'The consent challenge', true)
const logoutChallenge = queryParam('logout_challenge', 'The logout challenge', true)
const redirect = ok('oAuth2RedirectTo', 'Where to send the user agent next')
const gone = ok('oAuth2RedirectTo', 'The request was already handled; where to send the user agent')

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  // Health and metadata (both listeners).
  'get /health/alive': op('isAlive', ['metadata'], 'The process answers HTTP', { '200': ok('healthStatus'), '500': failure }),
  'get /health/ready': op('isReady', ['metadata'], 'The process and its database answer', { '200': ok('healthStatus'), '503': ok('healthNotReady', 'A dependency is down') }),
  'get /version': op('getVersion', ['metadata'], 'The running version', { '200': ok('version') }),
  'get /.well-known/openapi.json': op('getOpenApiDocument', ['metadata'], 'This description of the listener\'s routes', {
    '200': { description: 'An OpenAPI 3 document', content: json({ type: 'object' }) },
  }),

  // Public listener.
  'get /.well-known/jwks.json': op('discoverJsonWebKeys', ['wellknown'], 'The public keys that verify ID tokens and JWT access tokens', { '200': ok('jsonWebKeySet') }),
  'get /.well-known/openid-configuration': op('discoverOidcConfiguration', ['oidc'], 'OpenID Connect Discovery 1.0 provider metadata', { '200': ok('oidcConfiguration') }),
  'get /oauth2/auth': op('oAuth2Authorize', ['oAuth2'], 'The authorization endpoint (RFC 6749 §3.1); redirects the user agent', { '302': empty('Redirect to the login or consent app, or back to the client') }),
  'post /oauth2/auth': op('oAuth2AuthorizePost', ['oAuth2'], 'The authorization endpoint with form-encoded parameters (OpenID Connect Core §3.1.2.1)', { '302': empty('Redirect to the login or consent app, or back to the client') }),
  'post /oauth2/token': op('oauth2TokenExchange', ['oAuth2'], 'The token endpoint (RFC 6749 §3.2)', { '200': ok('oAuth2TokenExchange') }, {
    requestBody: formBody(
      { grant_type: 'The grant type', code: 'An authorization code', refresh_token: 'A refresh token', redirect_uri: 'The redirect URI of the code request', client_id: 'The client, when it authenticates in the body or not at all', scope: 'Space-separated scopes', code_verifier: 'PKCE verifier (RFC 7636)' },
      ['grant_type'],
    ),
  }),
  'post /oauth2/revoke': op('revokeOAuth2Token', ['oAuth2'], 'Token revocation (RFC 7009)', { '200': empty('Revoked, or the token was unknown') }, {
    requestBody: formBody({ token: 'The token to revoke', token_type_hint: 'access_token or refresh_token', client_id: 'The client', client_secret: 'The client secret (client_secret_post)' }, ['token']),
  }),
  'get /userinfo': op('getOidcUserInfo', ['oidc'], 'Claims about the user an access token speaks for (OpenID Connect Core §5.3)', { '200': ok('oidcUserInfo') }),
  'post /userinfo': op('getOidcUserInfoPost', ['oidc'], 'The userinfo endpoint with the access token in a form body (RFC 6750 §2.2)', { '200': ok('oidcUserInfo') }),
  'get /oauth2/sessions/logout': op('revokeOidcSession', ['oidc'], 'RP-Initiated Logout: starts or finishes the logout flow', { '302': empty('Redirect to the logout app or the post-logout URI') }),
  'post /oauth2/sessions/logout': op('revokeOidcSessionPost', ['oidc'], 'RP-Initiated Logout with form-encoded parameters', { '302': empty('Redirect to the logout app or the post-logout URI') }),
  'post /oauth2/register': op('createOidcDynamicClient', ['oidc'], 'Dynamic client registration (RFC 7591)', { '201': ok('oAuth2Client', 'The registered client with its registration access token'), '400': failure }, { requestBody: jsonBody('oAuth2Client') }),
  'get /oauth2/register/{id}': op('getOidcDynamicClient', ['oidc'], 'Read a dynamically registered client (RFC 7592)', { '200': ok('oAuth2Client') }, { parameters: [clientId] }),
  'put /oauth2/register/{id}': op('setOidcDynamicClient', ['oidc'], 'Replace a dynamically registered client (RFC 7592)', { '200': ok('oAuth2Client'), '404': failure }, { parameters: [clientId], requestBody: jsonBody('oAuth2Client') }),
  'delete /oauth2/register/{id}': op('deleteOidcDynamicClient', ['oidc'], 'Delete a dynamically registered client (RFC 7592)', { '204': empty('Deleted') }, { parameters: [clientId] }),
  'get /oauth2/fallbacks/login': op('getFallbackLoginPage', ['fallbacks'], 'Fallback page when urls.login is unset (the --dev demo app replaces it)', { '200': empty('An HTML page') }),
  'get /oauth2/fallbacks/consent': op('getFallbackConsentPage', ['fallbacks'], 'Fallback page when urls.consent is unset', { '200': empty('An HTML page') }),
  'get /oauth2/fallbacks/logout': op('getFallbackLogoutPage', ['fallbacks'], 'Fallback page when urls.logout is unset', { '200': empty('An HTML page') }),
  'get /oauth2/fallbacks/logout/callback': op('getFallbackLogoutCallbackPage', ['fallbacks'], 'Fallback page after logout when no post-logout URI applies', { '200': empty('An HTML page') }),
  'get /oauth2/fallbacks/device': op('getFallbackDevicePage', ['fallbacks'], 'Fallback page when urls.device.verification is unset', { '200': empty('An HTML page') }),
  'get /oauth2/fallbacks/device/done': op('getFallbackDeviceDonePage', ['fallbacks'], 'Fallback page when urls.device.success is unset', { '200': empty('An HTML page') }),
  'post /oauth2/device/auth': op('oAuth2DeviceFlow', ['oAuth2'], 'Device authorization request (RFC 8628 §3.1)', { '200': ok('deviceAuthorization') }, {
    requestBody: formBody({ client_id: 'The client', scope: 'Space-separated scopes', audience: 'Requested audiences' }, ['client_id']),
  }),
  'get /oauth2/device/verify': op('performOAuth2DeviceVerificationFlow', ['oAuth2'], 'Where the user enters the user code; redirects the user agent', { '302': empty('Redirect to the verification UI, the login app or the success page') }),
  'get /admin/metrics/prometheus': op('getPrometheusMetrics', ['metadata'], 'Metrics in the Prometheus text format', { '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } }),
  'get /oauth2/fallbacks/error': op('getFallbackErrorPage', ['fallbacks'], 'Fallback page showing an error when urls.error is unset', { '200': empty('An HTML page') }),

  // Admin listener: clients.
  'get /admin/clients': op('listOAuth2Clients', ['oAuth2'], 'List clients, one page at a time (Link header)', { '200': { description: 'A page of clients', content: json({ type: 'array', items: ref('oAuth2Client') }) } }, {
    parameters: [queryParam('page_size', 'Items per page'), queryParam('page_token', 'Opaque page token'), queryParam('client_name', 'Only clients with this name'), queryParam('owner', 'Only clients of this owner')],
  }),
  'post /admin/clients': op('createOAuth2Client', ['oAuth2'], 'Create a client', { '201': ok('oAuth2Client'), '400': failure }, { requestBody: jsonBody('oAuth2Client') }),
  'get /admin/clients/{id}': op('getOAuth2Client', ['oAuth2'], 'Read a client', { '200': ok('oAuth2Client') }, { parameters: [clientId] }),
  'put /admin/clients/{id}': op('setOAuth2Client', ['oAuth2'], 'Replace a client', { '200': ok('oAuth2Client'), '400': failure, '404': failure }, { parameters: [clientId], requestBody: jsonBody('oAuth2Client') }),
  'patch /admin/clients/{id}': op('patchOAuth2Client', ['oAuth2'], 'Change a client with a JSON Patch (RFC 6902)', { '200': ok('oAuth2Client'), '404': failure }, {
    parameters: [clientId],
    requestBody: { required: true, content: { 'application/json': { schema: ref('jsonPatchDocument') } } },
  }),
  'delete /admin/clients/{id}': op('deleteOAuth2Client', ['oAuth2'], 'Delete a client', { '204': empty('Deleted') }, { parameters: [clientId] }),
  'put /admin/clients/{id}/lifespans': op('setOAuth2ClientLifespans', ['oAuth2'], 'Set per-grant token lifespans of a client', { '200': ok('oAuth2Client') }, { parameters: [clientId], requestBody: jsonBody('oAuth2ClientTokenLifespans') }),
  'post /admin/clients/{id}/secrets/rotate': op('rotateOAuth2ClientSecret', ['oAuth2'], 'Give a client a new secret, keeping the old one valid', { '200': ok('oAuth2Client'), '404': failure }, { parameters: [clientId] }),
  'delete /admin/clients/{id}/secrets/rotate': op('deleteRotatedOAuth2ClientSecrets', ['oAuth2'], 'Forget a client\'s rotated secrets', { '200': ok('oAuth2Client'), '404': failure }, { parameters: [clientId] }),

  // Admin listener: JSON Web Keys.
  'get /admin/keys/{set}': op('getJsonWebKeySet', ['jwk'], 'Read a key set', { '200': ok('jsonWebKeySet') }, { parameters: [keySet] }),
  'post /admin/keys/{set}': op('createJsonWebKeySet', ['jwk'], 'Generate a key in a set', { '201': ok('jsonWebKeySet') }, { parameters: [keySet], requestBody: jsonBody('createJsonWebKeySet') }),
  'put /admin/keys/{set}': op('setJsonWebKeySet', ['jwk'], 'Replace a key set', { '200': ok('jsonWebKeySet') }, { parameters: [keySet], requestBody: jsonBody('jsonWebKeySet') }),
  'delete /admin/keys/{set}': op('deleteJsonWebKeySet', ['jwk'], 'Delete a key set', { '204': empty('Deleted') }, { parameters: [keySet] }),
  'get /admin/keys/{set}/{kid}': op('getJsonWebKey', ['jwk'], 'Read one key', { '200': ok('jsonWebKeySet') }, { parameters: [keySet, keyId] }),
  'put /admin/keys/{set}/{kid}': op('setJsonWebKey', ['jwk'], 'Replace one key', { '200': ok('jsonWebKey') }, { parameters: [keySet, keyId], requestBody: jsonBody('jsonWebKey') }),
  'delete /admin/keys/{set}/{kid}': op('deleteJsonWebKey', ['jwk'], 'Delete one key', { '204': empty('Deleted') }, { parameters: [keySet, keyId] }),

  // Admin listener: tokens.
  'post /admin/oauth2/introspect': op('introspectOAuth2Token', ['oAuth2'], 'Token introspection (RFC 7662)', { '200': ok('introspectedOAuth2Token') }, {
    requestBody: formBody({ token: 'The token to inspect', scope: 'Space-separated scopes the token must carry' }, ['token']),
  }),
  'delete /admin/oauth2/tokens': op('deleteOAuth2Token', ['oAuth2'], 'Delete every access token of a client', { '204': empty('Deleted') }, { parameters: [queryParam('client_id', 'The client', true)] }),

  // Admin listener: login, consent and logout requests.
  'get /admin/oauth2/auth/requests/login': op('getOAuth2LoginRequest', ['oAuth2'], 'Read a login request', { '200': ok('oAuth2LoginRequest'), '410': gone }, { parameters: [loginChallenge] }),
  'put /admin/oauth2/auth/requests/login/accept': op('acceptOAuth2LoginRequest', ['oAuth2'], 'Accept a login request', { '200': redirect }, { parameters: [loginChallenge], requestBody: jsonBody('acceptOAuth2LoginRequest') }),
  'put /admin/oauth2/auth/requests/login/reject': op('rejectOAuth2LoginRequest', ['oAuth2'], 'Reject a login request', { '200': redirect }, { parameters: [loginChallenge], requestBody: jsonBody('rejectOAuth2Request') }),
  'get /admin/oauth2/auth/requests/consent': op('getOAuth2ConsentRequest', ['oAuth2'], 'Read a consent request', { '200': ok('oAuth2ConsentRequest'), '410': gone }, { parameters: [consentChallenge] }),
  'put /admin/oauth2/auth/requests/consent/accept': op('acceptOAuth2ConsentRequest', ['oAuth2'], 'Accept a consent request', { '200': redirect }, { parameters: [consentChallenge], requestBody: jsonBody('acceptOAuth2ConsentRequest') }),
  'put /admin/oauth2/auth/requests/consent/reject': op('rejectOAuth2ConsentRequest', ['oAuth2'], 'Reject a consent request', { '200': redirect }, { parameters: [consentChallenge], requestBody: jsonBody('rejectOAuth2Request') }),
  'get /admin/oauth2/auth/requests/logout': op('getOAuth2LogoutRequest', ['oAuth2'], 'Read a logout request', { '200': ok('oAuth2LogoutRequest') }, { parameters: [logoutChallenge] }),
  'put /admin/oauth2/auth/requests/logout/accept': op('acceptOAuth2LogoutRequest', ['oAuth2'], 'Accept a logout request', { '200': redirect }, { parameters: [logoutChallenge] }),
  'put /admin/oauth2/auth/requests/device/accept': op('acceptUserCodeRequest', ['oAuth2'], 'Accept a device user code', { '200': redirect }, {
    parameters: [queryParam('device_challenge', 'The device challenge', true)],
    requestBody: jsonBody('acceptDeviceUserCodeRequest'),
  }),
  'put /admin/oauth2/auth/requests/logout/reject': op('rejectOAuth2LogoutRequest', ['oAuth2'], 'Reject a logout request', { '204': empty('Rejected') }, { parameters: [logoutChallenge] }),

  // Admin listener: sessions.
  'get /admin/oauth2/auth/sessions/consent': op('listOAuth2ConsentSessions', ['oAuth2'], 'List a subject\'s remembered consents', { '200': { description: 'Consent sessions', content: json({ type: 'array', items: ref('oAuth2ConsentSession') }) } }, {
    parameters: [queryParam('subject', 'The subject', true), queryParam('login_session_id', 'Only consents of this login session'), queryParam('page_size', 'Items per page'), queryParam('page_token', 'Opaque page token')],
  }),
  'delete /admin/oauth2/auth/sessions/consent': op('revokeOAuth2ConsentSessions', ['oAuth2'], 'Revoke consents with their tokens', { '204': empty('Revoked') }, {
    parameters: [queryParam('subject', 'The subject'), queryParam('client', 'Only this client'), queryParam('consent_request_id', 'Only this consent'), queryParam('all', 'Every client of the subject')],
  }),
  'delete /admin/oauth2/auth/sessions/login': op('revokeOAuth2LoginSessions', ['oAuth2'], 'Forget remembered logins', { '204': empty('Revoked') }, {
    parameters: [queryParam('subject', 'The subject'), queryParam('sid', 'One login session')],
  }),

  // Admin listener: trusted JWT-bearer grant issuers (RFC 7523).
  'get /admin/trust/grants/jwt-bearer/issuers': op('listTrustedOAuth2JwtGrantIssuers', ['oAuth2'], 'List trusted JWT grant issuers', { '200': { description: 'Trusted issuers', content: json({ type: 'array', items: ref('trustedOAuth2JwtGrantIssuer') }) } }),
  'post /admin/trust/grants/jwt-bearer/issuers': op('trustOAuth2JwtGrantIssuer', ['oAuth2'], 'Trust an issuer of JWT grants', { '201': ok('trustedOAuth2JwtGrantIssuer') }, { requestBody: jsonBody('trustedOAuth2JwtGrantIssuer') }),
  'get /admin/trust/grants/jwt-bearer/issuers/{id}': op('getTrustedOAuth2JwtGrantIssuer', ['oAuth2'], 'Read a trusted JWT grant issuer', { '200': ok('trustedOAuth2JwtGrantIssuer') }, { parameters: [pathParam('id', 'The trust relationship id')] }),
  'delete /admin/trust/grants/jwt-bearer/issuers/{id}': op('deleteTrustedOAuth2JwtGrantIssuer', ['oAuth2'], 'Stop trusting a JWT grant issuer', { '204': empty('Deleted') }, { parameters: [pathParam('id', 'The trust relationship id')] }),

  // Admin listener: the web console and its two Orthrus additions (src/http/console-routes.ts).
  'get /console': op('getAdminConsole', ['console'], 'Orthrus addition: the admin web console (HTML)', { '200': empty('The console page'), '503': empty('The console was not built') }),
  'get /console/assets/{name}': op('getAdminConsoleAsset', ['console'], 'Orthrus addition: a file of the admin web console', { '200': empty('The file'), '404': failure }, { parameters: [pathParam('name', 'The file name')] }),
  'get /admin/orthrus/status': op('getOrthrusStatus', ['console'], 'Orthrus addition: server facts for the console (database, migrations, listeners, key sets, live tokens)', { '200': { description: 'The status report', content: json({ type: 'object' }) } }),
  'post /admin/orthrus/try/client-credentials': op('tryOrthrusClientCredentials', ['console'], 'Orthrus addition: relays one client_credentials request to the public token endpoint and returns its answer', {
    '200': { description: 'The token endpoint\'s status and body', content: json({ type: 'object' }) },
    '400': failure,
    '502': failure,
  }, { requestBody: { required: true, content: json({
      type: 'object',
      required: ['client_id', 'client_secret'],
      properties: {
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        scope: { type: 'string', description: 'Space-separated scopes' },
        audience: { type: 'array', items: { type: 'string' } },
        auth_method: { type: 'string', enum: ['client_secret_basic', 'client_secret_post'] },
      },
    }) } }),
}

const obj = (description: string, properties: Record<string, Schema> = {}): Schema => ({ type: 'object', description, properties })
const str = (description: string): Schema => ({ type: 'string', description })
const strs = (description: string): Schema => ({ type: 'array', items: { type: 'string' }, description })
const int = (description: string): Schema => ({ type: 'integer', description })
const bool = (description: string): Schema => ({ type: 'boolean', description })

export const SCHEMAS: Readonly<Record<string, Schema>> = {
  errorOAuth2: obj('An error', {
    error: str('Error code'),
    error_description: str('What went wrong, and the specific reason'),
    error_hint: str('The specific reason alone'),
    status_code: int('The HTTP status'),
    request_id: str('The request id'),
    error_debug: str('Internals, only with oauth2.expose_internal_errors'),
  }),
  healthStatus: obj('Health', { status: str('"ok"') }),
  healthNotReady: obj('What is not ready', { errors: { type: 'object', additionalProperties: { type: 'string' } } }),
  version: obj('Version', { version: str('The running version') }),
  oAuth2Client: obj('An OAuth 2.0 client', {
    client_id: str('Public id'),
    client_name: str('Human-readable name'),
    client_secret: str('Shown once, on creation or rotation'),
    redirect_uris: strs('Allowed redirect URIs'),
    grant_types: strs('Allowed grant types'),
    response_types: strs('Allowed response types'),
    scope: str('Space-separated allowed scopes'),
    audience: strs('Allowed audiences'),
    token_endpoint_auth_method: str('How the client authenticates at the token endpoint'),
    allowed_cors_origins: strs('Origins allowed to call the token, revocation and userinfo endpoints cross-origin'),
    metadata: { type: 'object' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  }),
  oAuth2ClientTokenLifespans: { type: 'object', description: 'Per-grant lifespans (Go duration strings)', additionalProperties: { type: 'string', nullable: true } },
  jsonPatchDocument: { type: 'array', description: 'JSON Patch operations (RFC 6902)', items: obj('One operation', { op: str('add, remove, replace, move, copy or test'), path: str('JSON Pointer'), from: str('JSON Pointer'), value: {} }) },
  jsonWebKey: obj('A JSON Web Key (RFC 7517)', { kty: str('Key type'), kid: str('Key id'), alg: str('Algorithm'), use: str('sig or enc') }),
  jsonWebKeySet: obj('A JSON Web Key Set', { keys: { type: 'array', items: ref('jsonWebKey') } }),
  createJsonWebKeySet: obj('What key to generate', { alg: str('Algorithm'), kid: str('Key id'), use: str('sig or enc') }),
  oAuth2TokenExchange: obj('A token response (RFC 6749 §5.1)', {
    access_token: str('The access token'),
    token_type: str('"bearer"'),
    expires_in: int('Seconds until the access token expires'),
    refresh_token: str('A refresh token, with offline access'),
    id_token: str('An ID token, with the openid scope'),
    scope: str('Granted scopes'),
  }),
  introspectedOAuth2Token: obj('Token introspection response (RFC 7662)', {
    active: bool('Whether the token is active'),
    scope: str('Scopes'),
    client_id: str('The client'),
    sub: str('The subject'),
    exp: int('Expiry, seconds since the epoch'),
    iat: int('Issued at, seconds since the epoch'),
    token_use: str('access_token or refresh_token'),
  }),
  oidcConfiguration: obj('OpenID Provider Metadata', { issuer: str('Issuer'), authorization_endpoint: str('URL'), token_endpoint: str('URL'), jwks_uri: str('URL'), userinfo_endpoint: str('URL') }),
  oidcUserInfo: obj('UserInfo claims', { sub: str('The subject') }),
  deviceAuthorization: obj('Device authorization response (RFC 8628 §3.2)', {
    device_code: str('The device verification code'),
    user_code: str('The code the user enters'),
    verification_uri: str('Where the user goes'),
    verification_uri_complete: str('The same, with the user code filled in'),
    expires_in: int('Seconds until the codes expire'),
    interval: int('Seconds to wait between polls'),
  }),
  acceptDeviceUserCodeRequest: obj('The user code the user entered', { user_code: str('The user code') }),
  oAuth2RedirectTo: obj('Where to send the user agent', { redirect_to: str('URL') }),
  oAuth2LoginRequest: obj('A login request', { challenge: str('Challenge'), subject: str('Remembered subject'), skip: bool('Whether a remembered login applies'), client: ref('oAuth2Client'), request_url: str('The original authorization request'), requested_scope: strs('Scopes') }),
  oAuth2ConsentRequest: obj('A consent request', { challenge: str('Challenge'), subject: str('Subject'), skip: bool('Whether a remembered consent applies'), client: ref('oAuth2Client'), requested_scope: strs('Scopes'), requested_access_token_audience: strs('Audiences') }),
  oAuth2LogoutRequest: obj('A logout request', { challenge: str('Challenge'), subject: str('Subject'), sid: str('Login session'), rp_initiated: bool('Whether a relying party started it'), client: ref('oAuth2Client') }),
  acceptOAuth2LoginRequest: obj('Login accepted', { subject: str('Authenticated subject'), remember: bool('Remember the login'), remember_for: int('Seconds'), acr: str('Authentication context class'), amr: strs('Authentication methods'), context: { type: 'object' } }),
  acceptOAuth2ConsentRequest: obj('Consent given', { grant_scope: strs('Granted scopes'), grant_access_token_audience: strs('Granted audiences'), remember: bool('Remember the consent'), remember_for: int('Seconds'), session: { type: 'object' } }),
  rejectOAuth2Request: obj('A refusal', { error: str('Error code'), error_description: str('Description'), error_hint: str('Hint'), status_code: int('Status') }),
  oAuth2ConsentSession: obj('A remembered consent', { grant_scope: strs('Granted scopes'), consent_request: ref('oAuth2ConsentRequest'), remember: bool('Remembered'), handled_at: { type: 'string', format: 'date-time' } }),
  trustedOAuth2JwtGrantIssuer: obj('A trusted issuer of JWT grants', { id: str('Id'), issuer: str('Issuer'), subject: str('Subject'), allow_any_subject: bool('Any subject'), scope: strs('Scopes'), expires_at: { type: 'string', format: 'date-time' } }),
}
