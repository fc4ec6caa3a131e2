// OpenTelemetry tracing: the NodeSDK with the OTLP/HTTP (JSON) exporter, a server span per HTTP
// request, a span per token grant and a client span per database query. This module is only ever
// imported dynamically, by src/observability/index.ts, when tracing is on.
import { NodeSDK } from '@opentelemetry/sdk-node'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import type { Kysely } from 'kysely'
import type { DbInstrumentation } from '../persistence/db.js'
import { VERSION } from '../version.js'
import { hookList } from './http-hooks.js'
import type { GrantObserver } from '../oauth2/observer.js'
import { QueryTracingPlugin } from './query-tracing.js'
import { JaegerRemoteSampler } from './jaeger-remote-sampler.js'
import { markTracingLoaded, type TracingSettings } from './tracing-config.js'

markTracingLoaded()

export interface Tracing extends GrantObserver {
  /** Installs the request spans on an app; call before any route is registered. */
  instrument(app: FastifyInstance, listener: 'public' | 'admin'): void
  /**
   * For openDb: a span on every query of the database, through the Kysely plugin on the instance
   * the Db hands out, precompiled queries run on it, and its batched writes.
   */
  instrumentDb: DbInstrumentation
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>
}

interface RequestTrace {
  span: Span
  context: Context
}

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown

function exporterFor(settings: TracingSettings): SpanExporter {
  const e = settings.export
  if (e.kind === 'zipkin') return new ZipkinExporter({ url: e.url, serviceName: settings.serviceName })
  return new OTLPTraceExporter({ ...(e.url ? { url: e.url } : {}), ...(e.headers ? { headers: e.headers } : {}) })
}

export function startTracing(settings: TracingSettings, onError: (message: string) => void = () => undefined): Tracing {
  const remote = settings.remoteSamplingUrl
    ? new JaegerRemoteSampler(settings.remoteSamplingUrl, settings.serviceName, settings.samplingRatio, onError)
    : undefined
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    ...(settings.deploymentEnvironment ? { resource: resourceFromAttributes({ 'deployment.environment.name': settings.deploymentEnvironment }) } : {}),
    traceExporter: exporterFor(settings),
    // A caller's sampled (or not) traceparent wins; root spans are sampled by ratio.
    sampler: new ParentBasedSampler({ root: remote ?? new TraceIdRatioBasedSampler(settings.samplingRatio) }),
    instrumentations: [],
  })
  sdk.start()
  const tracer = trace.getTracer('orthrus', VERSION)
  const requests = new WeakMap<FastifyRequest, RequestTrace>()

  return {
    instrument(app, listener) {
      app.addHook('onRoute', (route: RouteOptions) => {
        const pattern = route.url
        const start = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
          // W3C traceparent/tracestate of the caller, when it sent them.
          const parent = propagation.extract(ROOT_CONTEXT, request.headers)
          const userAgent = request.headers['user-agent']
          const span = tracer.startSpan(
            `${request.method} ${pattern}`,
            {
              kind: SpanKind.SERVER,
              attributes: {
                'http.request.method': request.method,
                'http.route': pattern,
                // The path without the query string: that can carry codes and challenges.
                'url.path': request.url.split('?', 1)[0] ?? '',
                'url.scheme': request.protocol,
                'orthrus.listener': listener,
                'orthrus.request_id': String(request.id),
                ...(typeof userAgent === 'string' ? { 'user_agent.original': userAgent } : {}),
              },
            },
            parent,
          )
          const ctx = trace.setSpan(parent, span)
          requests.set(request, { span, context: ctx })
          context.with(ctx, done)
        }
        const end = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
          const traced = requests.get(request)
          if (traced) {
            requests.delete(request)
            traced.span.setAttribute('http.response.status_code', reply.statusCode)
            if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR })
            traced.span.end()
          }
          done()
        }
        route.onRequest = [...hookList(route.onRequest), start] as RouteOptions['onRequest']
        route.onResponse = [...hookList(route.onResponse), end] as RouteOptions['onResponse']
        // The body arrives on the socket's own async context: the handler is put back into the
        // request span's context so grant and query spans become its children.
        const handler = route.handler as Handler
        route.handler = function traced(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
          const t = requests.get(request)
          return t ? context.with(t.context, handler, this, request, reply) : handler.call(this, request, reply)
        } as RouteOptions['handler']
      })
    },

    grant<T>(grantType: string, run: () => Promise<T>): Promise<T> {
      return tracer.startActiveSpan(`oauth2.grant ${grantType}`, { attributes: { 'oauth2.grant_type': grantType } }, (span) =>
        run().then(
          (response) => {
            span.end()
            return response
          },
          (e: unknown) => {
            // The OAuth error code only (invalid_grant, ...): descriptions may quote the request.
            const code = (e as { error?: unknown } | undefined)?.error
            if (typeof code === 'string') span.setAttribute('oauth2.error', code)
            span.setStatus({ code: SpanStatusCode.ERROR })
            span.end()
            throw e
          },
        ),
      )
    },

    instrumentDb(raw) {
      const plugin = new QueryTracingPlugin(tracer, raw.dialect)
      const traced = raw.kysely.withPlugin(plugin)
      plugin.traceCompiledQueries(traced as unknown as Kysely<never>)
      return { kysely: traced, batchedWrite: plugin.traceBatchedWrites(raw.batchedWrite) }
    },

    async shutdown() {
      remote?.stop()
      await sdk.shutdown()
      // Gives the globals back, so a later server in the same process may start tracing again.
      trace.disable()
      context.disable()
      propagation.disable()
    },
  }
}
