// The Prometheus scrape endpoint on the admin listener. Hydra 2 serves it at
// /admin/metrics/prometheus; like every admin route here it also answers without the prefix
// (Hydra 1's /metrics/prometheus).
import type { Metrics } from '../observability/metrics.js'
import type { RouteGroup } from './route-table.js'

export function metricsRoutes(metrics: Metrics): RouteGroup {
  return {
    admin: true,
    routes: [
      {
        method: 'GET',
        url: '/metrics/prometheus',
        operationId: 'getPrometheusMetrics',
        summary: 'Metrics in the Prometheus text format',
        tags: ['metadata'],
        responses: { '200': 'Prometheus text exposition (text/plain)' },
        handler: async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.scrape()),
      },
    ],
  }
}
