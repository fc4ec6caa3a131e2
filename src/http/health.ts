import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.js'

export interface HealthDeps {
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>
}

export function healthRoutes(deps: HealthDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/health/alive', async () => ({ status: 'ok' }))
    app.get('/health/ready', async (_request, reply) => {
      try {
        await deps.ping()
        return { status: 'ok' }
      } catch {
        // The reason stays in the server log; the probe only needs to know which check failed.
        return reply.code(503).send({ errors: { database: 'the database is not reachable' } })
      }
    })
  }
}

export async function versionRoute(app: FastifyInstance): Promise<void> {
  app.get('/version', async () => ({ version: VERSION }))
}
