// Whether tracing is on and where spans go, decided from Hydra's `tracing` configuration and the
// standard OTEL_* environment variables. This file imports nothing from OpenTelemetry: with
// tracing off, no OpenTelemetry module is ever loaded (src/observability/tracing.ts is imported
// dynamically, only when this says so).

/** Hydra's `tracing` section, the keys Orthrus implements (src/config/schema.ts). */
export interface TracingConfig {
  /** Only `otel` (OTLP over HTTP) is implemented; Hydra's other providers are refused with a warning. */
  provider?: string
  service_name?: string
  providers?: {
    otlp?: {
      /** host:port of an OTLP/HTTP receiver (Hydra's form, e.g. `localhost:4318`), or a full URL. */
      server_url?: string
      /** Plain http instead of https to server_url. */
      insecure?: boolean
    }
  }
}

export interface TracingSettings {
  serviceName: string
  /** Where spans are POSTed; undefined: the exporter's own OTEL_EXPORTER_OTLP_* handling. */
  tracesUrl?: string
}

export interface TracingDecision {
  settings?: TracingSettings
  /** Why a configured tracing setup was not started (to be logged as a warning). */
  warning?: string
}

const DEFAULT_SERVICE_NAME = 'orthrus'

/**
 * The `tracing` section from the loader's validated values (src/config/derive.ts hands in its
 * `opt` reader); undefined when nothing under `tracing` was set.
 */
export function tracingFromValues(opt: <T>(path: string) => T | undefined): TracingConfig | undefined {
  const provider = opt<string>('tracing.provider')
  const serviceName = opt<string>('tracing.service_name')
  const serverUrl = opt<string>('tracing.providers.otlp.server_url')
  const insecure = opt<boolean>('tracing.providers.otlp.insecure')
  if (provider === undefined && serviceName === undefined && serverUrl === undefined) return undefined
  return {
    ...(provider !== undefined ? { provider } : {}),
    ...(serviceName !== undefined ? { service_name: serviceName } : {}),
    providers: { otlp: { ...(serverUrl !== undefined ? { server_url: serverUrl } : {}), insecure: insecure ?? false } },
  }
}

function tracesUrlOf(serverUrl: string, insecure: boolean): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(serverUrl) ? serverUrl : `${insecure ? 'http' : 'https'}://${serverUrl}`
  const url = new URL(withScheme)
  // Hydra hands server_url to the OTLP/HTTP exporter as an endpoint: the path is /v1/traces.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces'
  return url.href
}

/**
 * On when `tracing.provider` is `otel`, or when the environment asks for OTLP traces
 * (OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint is set and OTEL_TRACES_EXPORTER is not `none`).
 * OTEL_SDK_DISABLED=true turns it off whatever else is set.
 */
export function decideTracing(cfg: TracingConfig | undefined, env: NodeJS.ProcessEnv): TracingDecision {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return {}
  const provider = cfg?.provider
  if (provider !== undefined && provider !== '' && provider !== 'otel') {
    return { warning: `tracing.provider "${provider}" is not implemented (only "otel", OTLP over HTTP): tracing stays off` }
  }
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
  const fromEnv =
    exporters.includes('otlp') ||
    (!exporters.includes('none') && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT))
  if (provider !== 'otel' && !fromEnv) return {}
  const serverUrl = cfg?.providers?.otlp?.server_url
  const serviceName = cfg?.service_name || env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME
  return {
    settings: {
      serviceName,
      ...(serverUrl ? { tracesUrl: tracesUrlOf(serverUrl, cfg?.providers?.otlp?.insecure ?? false) } : {}),
    },
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
