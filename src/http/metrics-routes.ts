// The Prometheus scrape endpoint on the admin listener. Hydra 2 serves it at
// /admin/metrics/prometheus; like every admin route here it also answers without the prefix
// (Hydra 1's /metrics/prometheus).
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Metrics } from '../observability/metrics.js'

export function metricsRoutes(metrics: Metrics) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const scrape = async (_request: unknown, reply: FastifyReply) =>
      reply.header('content-type', metrics.contentType).send(await metrics.scrape())
    app.get('/admin/metrics/prometheus', scrape)
    app.get('/metrics/prometheus', scrape)
  }
}
