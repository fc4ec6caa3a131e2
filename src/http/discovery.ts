import type { Config } from '../config/types.js'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { DEFAULT_ID_TOKEN_ALG, discoveryDocument } from '../oidc/discovery.js'
import type { RouteGroup } from './route-table.js'
import { errorOAuth2, oidcConfiguration } from './schemas/components.js'

/**
 * GET /.well-known/openid-configuration. The endpoints are the public routes that advertise
 * themselves (read on first request, when every route is known). Only the ID token algorithm can
 * change while running (a key rotation); the document is serialised once per algorithm.
 */
export function discoveryRoutes(config: Readonly<Config>, keys: Pick<KeyRing, 'signingAlg'> | undefined, endpoints: () => Record<string, string>): RouteGroup {
  const bodies = new Map<string, string>()
  const bodyFor = (alg: string): string => {
    let body = bodies.get(alg)
    if (body === undefined) {
      body = JSON.stringify(discoveryDocument(config, alg, endpoints()))
      bodies.set(alg, body)
    }
    return body
  }
  return {
    routes: [
      {
        method: 'GET',
        url: '/.well-known/openid-configuration',
        operationId: 'discoverOidcConfiguration',
        summary: 'OpenID Connect Discovery 1.0 provider metadata',
        tags: ['oidc'],
        responses: { '200': oidcConfiguration, default: errorOAuth2 },
        handler: async (_request, reply) => {
          const alg = (await keys?.signingAlg(ID_TOKEN_SET)) ?? DEFAULT_ID_TOKEN_ALG
          return reply.header('content-type', 'application/json; charset=utf-8').send(bodyFor(alg))
        },
      },
    ],
  }
}
