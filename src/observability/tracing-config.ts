// Whether tracing is on, where spans go and how they are sampled, decided from Hydra's `tracing`
// configuration and the standard OTEL_* environment variables. This file imports nothing from OpenTelemetry: with
// tracing off, no OpenTelemetry module is ever loaded (src/observability/tracing.ts is imported
// dynamically, only when this says so).

/** Hydra's `tracing` section (ory/x otelx), as validated by src/config/schema.ts. */
export interface TracingConfig {
  /** otel (OTLP over HTTP), zipkin, or jaeger (sent to Jaeger's OTLP receiver, see decideTracing). */
  provider?: string
  service_name?: string
  /** The `deployment.environment.name` resource attribute. */
  deployment_environment?: string
  providers?: {
    otlp?: {
      /** host:port of an OTLP/HTTP receiver (Hydra's form, e.g. `localhost:4318`), or a full URL. */
      server_url?: string
      /** Plain http instead of https to server_url. */
      insecure?: boolean
      /** Sent as the Authorization header of every export. */
      authorization_header?: string
      sampling?: { sampling_ratio?: number }
    }
    zipkin?: { server_url?: string; sampling?: { sampling_ratio?: number } }
    jaeger?: { local_agent_address?: string; sampling?: { server_url?: string; trace_id_ratio?: number } }
  }
}

export type TraceExport =
  /** OTLP/HTTP JSON; without `url` the exporter's own OTEL_EXPORTER_OTLP_* handling applies. */
  | { kind: 'otlp'; url?: string; headers?: Record<string, string> }
  | { kind: 'zipkin'; url: string }

export interface TracingSettings {
  serviceName: string
  deploymentEnvironment?: string
  export: TraceExport
  /**
   * Root spans are sampled with this probability; a caller's sampling decision (traceparent) is
   * always followed, as Hydra's ParentBased samplers do.
   */
  samplingRatio: number
  /** Jaeger's remote sampling endpoint, polled for the ratio (Hydra's jaegerremote sampler). */
  remoteSamplingUrl?: string
}

export interface TracingDecision {
  settings?: TracingSettings
  /** Where a Hydra setting lands here when it differs from Hydra (logged at info level). */
  notice?: string
}

const DEFAULT_SERVICE_NAME = 'orthrus'
// The Zipkin exporter's default collector (Go's and JavaScript's alike).
const DEFAULT_ZIPKIN_URL = 'http://localhost:9411/api/v2/spans'
// Jaeger's OTLP/HTTP receiver port (Jaeger 1.35+ and 2.x take OTLP; its agent protocol is gone in 2.x).
const JAEGER_OTLP_PORT = 4318

/**
 * The `tracing` section from the loader's validated values (src/config/derive.ts hands in its
 * `opt` reader); undefined when nothing under `tracing` was set.
 */
export function tracingFromValues(opt: <T>(path: string) => T | undefined): TracingConfig | undefined {
  const at = <T>(path: string): T | undefined => opt<T>(`tracing.${path}`)
  const given = (o: Record<string, unknown>): Record<string, unknown> | undefined => {
    const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
    return Object.keys(out).length > 0 ? out : undefined
  }
  const otlp = given({
    server_url: at('providers.otlp.server_url'),
    authorization_header: at('providers.otlp.authorization_header'),
    sampling: given({ sampling_ratio: at('providers.otlp.sampling.sampling_ratio') }),
  })
  const zipkin = given({ server_url: at('providers.zipkin.server_url'), sampling: given({ sampling_ratio: at('providers.zipkin.sampling.sampling_ratio') }) })
  const jaeger = given({
    local_agent_address: at('providers.jaeger.local_agent_address'),
    sampling: given({ server_url: at('providers.jaeger.sampling.server_url'), trace_id_ratio: at('providers.jaeger.sampling.trace_id_ratio') }),
  })
  const top = given({ provider: at('provider'), service_name: at('service_name'), deployment_environment: at('deployment_environment') })
  if (!top && !otlp && !zipkin && !jaeger) return undefined
  return {
    ...top,
    providers: {
      otlp: { ...otlp, insecure: at<boolean>('providers.otlp.insecure') ?? false },
      ...(zipkin ? { zipkin } : {}),
      ...(jaeger ? { jaeger } : {}),
    },
  } as TracingConfig
}

function tracesUrlOf(serverUrl: string, insecure: boolean): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(serverUrl) ? serverUrl : `${insecure ? 'http' : 'https'}://${serverUrl}`
  const url = new URL(withScheme)
  // Hydra hands server_url to the OTLP/HTTP exporter as an endpoint: the path is /v1/traces.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces'
  return url.href
}

/** The OTLP export of tracing.providers.otlp (server_url, insecure, authorization_header). */
function otlpExport(cfg: TracingConfig | undefined): TraceExport {
  const otlp = cfg?.providers?.otlp
  const auth = otlp?.authorization_header
  return {
    kind: 'otlp',
    ...(otlp?.server_url ? { url: tracesUrlOf(otlp.server_url, otlp.insecure ?? false) } : {}),
    ...(auth ? { headers: { authorization: auth } } : {}),
  }
}

/**
 * On when `tracing.provider` names a provider (otel, zipkin, jaeger), or when the environment asks
 * for OTLP traces (OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint is set and OTEL_TRACES_EXPORTER
 * is not `none`). OTEL_SDK_DISABLED=true turns it off whatever else is set. Sampling ratios
 * default as in ory/x's configx: otlp and jaeger 1, zipkin 0 (only callers' sampled traces).
 */
export function decideTracing(cfg: TracingConfig | undefined, env: NodeJS.ProcessEnv): TracingDecision {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return {}
  const provider = cfg?.provider ?? ''
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
  const fromEnv =
    exporters.includes('otlp') ||
    (!exporters.includes('none') && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT))
  if (provider === '' && !fromEnv) return {}
  const base = {
    serviceName: cfg?.service_name || env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME,
    ...(cfg?.deployment_environment ? { deploymentEnvironment: cfg.deployment_environment } : {}),
  }
  if (provider === 'zipkin') {
    const zipkin = cfg?.providers?.zipkin
    return { settings: { ...base, export: { kind: 'zipkin', url: zipkin?.server_url ?? DEFAULT_ZIPKIN_URL }, samplingRatio: zipkin?.sampling?.sampling_ratio ?? 0 } }
  }
  if (provider === 'jaeger') return jaegerOverOtlp(cfg, base)
  return { settings: { ...base, export: otlpExport(cfg), samplingRatio: cfg?.providers?.otlp?.sampling?.sampling_ratio ?? 1 } }
}

// Hydra's jaeger provider speaks the Jaeger agent protocol (UDP, deprecated and gone in Jaeger
// 2.x). Jaeger ingests OTLP, so the spans go there: otlp.server_url when set, else the agent's
// host on Jaeger's OTLP/HTTP port. Sampling keeps Hydra's jaeger keys.
function jaegerOverOtlp(cfg: TracingConfig | undefined, base: Pick<TracingSettings, 'serviceName' | 'deploymentEnvironment'>): TracingDecision {
  const jaeger = cfg?.providers?.jaeger
  const exported = otlpExport(cfg)
  let notice: string
  if (exported.kind === 'otlp' && exported.url === undefined) {
    const agent = jaeger?.local_agent_address ?? 'localhost:6831'
    const host = agent.slice(0, agent.lastIndexOf(':'))
    exported.url = `http://${host}:${JAEGER_OTLP_PORT}/v1/traces`
    notice = `tracing.provider jaeger: spans go to Jaeger's OTLP/HTTP receiver at ${exported.url} (the Jaeger agent protocol of ${agent} is not spoken); set tracing.providers.otlp.server_url to send them elsewhere`
  } else {
    notice = 'tracing.provider jaeger: spans go to tracing.providers.otlp.server_url over OTLP/HTTP (Jaeger ingests OTLP)'
  }
  const remote = jaeger?.sampling?.server_url
  return {
    notice,
    settings: { ...base, export: exported, samplingRatio: jaeger?.sampling?.trace_id_ratio ?? 1, ...(remote ? { remoteSamplingUrl: remote } : {}) },
  }
}

let loaded = false

/** Set by src/observability/tracing.ts when it is evaluated. */
export function markTracingLoaded(): void {
  loaded = true
}

/** Whether the tracing module (and with it OpenTelemetry) was ever loaded in this process. */
export function tracingLoaded(): boolean {
  return loaded
}
