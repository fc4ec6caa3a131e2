// GET /.well-known/jwks.json: the public halves of the keys that sign ID tokens and JWT access
// tokens, and of the sets webfinger.jwks.broadcast_keys adds (KeyManager.publishedKeys). Private
// members never leave through here.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { KeyManager } from './manager.js'

// Short, so relying parties pick up a rotated key quickly; they refetch on an unknown kid anyway.
const CACHE_CONTROL = 'public, max-age=60'

export function jwksRoute(keys: KeyManager) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/.well-known/jwks.json', async (_request, reply: FastifyReply) => {
      const published = await keys.publishedKeys()
      return reply.header('cache-control', CACHE_CONTROL).send({ keys: published })
    })
  }
}
