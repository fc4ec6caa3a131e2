// GET /.well-known/jwks.json: the public halves of the keys that sign ID tokens and JWT access
// tokens (Hydra always publishes both sets). Private members never leave through here.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from './keyring.js'
import type { KeyManager } from './manager.js'

export const PUBLISHED_SETS: readonly string[] = [ID_TOKEN_SET, ACCESS_TOKEN_SET]

// Short, so relying parties pick up a rotated key quickly; they refetch on an unknown kid anyway.
const CACHE_CONTROL = 'public, max-age=60'

export function jwksRoute(keys: KeyManager) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/.well-known/jwks.json', async (_request, reply: FastifyReply) => {
      const published = await keys.publicKeys(PUBLISHED_SETS)
      return reply.header('cache-control', CACHE_CONTROL).send({ keys: published })
    })
  }
}
