import type { RouteGroup } from './route-table.js'
import { VERSION } from '../version.js'
import { healthNotReadyStatus, healthStatus, version } from './schemas/components.js'

export interface HealthDeps {
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>
}

/** Hydra's health checks, on both listeners. */
export function healthRoutes(deps: HealthDeps): RouteGroup {
  return {
    routes: [
      {
        method: 'GET',
        url: '/health/alive',
        operationId: 'isAlive',
        summary: 'The process answers HTTP',
        tags: ['metadata'],
        responses: { '200': healthStatus },
        handler: async () => ({ status: 'ok' }),
      },
      {
        method: 'GET',
        url: '/health/ready',
        operationId: 'isReady',
        summary: 'The process and its database answer',
        tags: ['metadata'],
        responses: { '200': healthStatus, '503': healthNotReadyStatus },
        handler: async (_request, reply) => {
          try {
            await deps.ping()
            return { status: 'ok' }
          } catch {
            // The probe learns only which check failed, never the database's error.
            return reply.code(503).send({ errors: { database: 'the database is not reachable' } })
          }
        },
      },
    ],
  }
}

export const versionRoutes: RouteGroup = {
  routes: [
    {
      method: 'GET',
      url: '/version',
      operationId: 'getVersion',
      summary: 'The running version',
      tags: ['metadata'],
      responses: { '200': version },
      handler: async () => ({ version: VERSION }),
    },
  ],
}
