import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/types.js'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { DEFAULT_ID_TOKEN_ALG, discoveryDocument } from '../oidc/discovery.js'

/**
 * GET /.well-known/openid-configuration. Only the ID token algorithm can change while running
 * (a key rotation); the document is serialised once per algorithm.
 */
export function discoveryRoute(config: Readonly<Config>, keys?: Pick<KeyRing, 'signingAlg'>) {
  const bodies = new Map<string, string>()
  const bodyFor = (alg: string): string => {
    let body = bodies.get(alg)
    if (body === undefined) {
      body = JSON.stringify(discoveryDocument(config, alg))
      bodies.set(alg, body)
    }
    return body
  }
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/.well-known/openid-configuration', async (_request, reply) => {
      const alg = (await keys?.signingAlg(ID_TOKEN_SET)) ?? DEFAULT_ID_TOKEN_ALG
      return reply.header('content-type', 'application/json; charset=utf-8').send(bodyFor(alg))
    })
  }
}
