// POST /oauth2/par: Pushed Authorization Requests (RFC 9126 §2) on the public listener.
import type { PushedAuthorizations } from '../oauth2/par.js'
import { acceptForms, formBody } from './form.js'
import type { RouteGroup } from './route-table.js'
import { errorOAuth2, form } from './schemas/components.js'
import { int, named, obj, str } from './schemas/json-schema.js'

const pushedAuthorizationResponse = named(
  'pushedAuthorizationResponse',
  obj(
    {
      request_uri: str('Where the authorization endpoint finds the pushed request (urn:ietf:params:oauth:request_uri:…)'),
      expires_in: int('Seconds the request_uri stays usable'),
    },
    { required: ['request_uri', 'expires_in'] },
  ),
)

const PAR_FORM = form({
  client_id: 'The client',
  client_secret: 'The client secret (client_secret_post)',
  client_assertion: 'A client assertion (private_key_jwt)',
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  response_type: 'As at the authorization endpoint',
  redirect_uri: 'As at the authorization endpoint',
  scope: 'As at the authorization endpoint',
  state: 'As at the authorization endpoint',
  code_challenge: 'PKCE challenge (RFC 7636)',
  code_challenge_method: 'S256',
  request: 'A request object (RFC 9101)',
})

export function parRoutes(pushed: PushedAuthorizations): RouteGroup {
  return {
    setup: acceptForms,
    routes: [
      {
        method: 'POST',
        url: '/oauth2/par',
        operationId: 'oAuth2PushedAuthorizationRequest',
        summary: 'Pushed Authorization Requests (RFC 9126): validate and store an authorization request',
        tags: ['oAuth2'],
        body: { media: 'form', schema: PAR_FORM },
        responses: { '201': pushedAuthorizationResponse, default: errorOAuth2 },
        postOnly: true,
        discovery: 'pushed_authorization_request_endpoint',
        cors: 'client',
        handler: async (request, reply) => {
          const answer = await pushed.push(request.headers.authorization, formBody(request))
          return reply
            .code(201)
            .header('cache-control', 'no-store')
            .header('pragma', 'no-cache')
            .header('content-type', 'application/json; charset=utf-8')
            .send(answer)
        },
      },
    ],
  }
}
