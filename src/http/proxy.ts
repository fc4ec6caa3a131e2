// TLS terminated by a proxy in front of a listener (serve.*.tls.allow_termination_from, falling
// back to serve.tls.allow_termination_from), as Hydra documents it: when ranges are set and the
// listener itself speaks plain HTTP, a request is served only if it comes from one of the ranges
// and says X-Forwarded-Proto: https; anything else gets a 502. /health/alive, /health/ready (and
// the metrics scrape path) stay reachable for probes. Without ranges nothing is refused, as in
// Hydra 2, which serves plain HTTP with a start-up warning.
//
// Deliberate difference: Hydra also accepts a request when any X-Forwarded-For entry falls in the
// ranges. That header is chosen by the client, so only the socket's peer address counts here.
//
// The same ranges are the trusted proxies: only requests from them may set the client address
// (X-Forwarded-For) and scheme (X-Forwarded-Proto) that request.ip / request.protocol report.
import { BlockList, isIP } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { ListenerConfig, TlsConfig } from '../config/types.js'
import { OAuthError } from '../oauth2/errors.js'
import type { AppOptions } from './app.js'
import { installCors, type CorsOptions } from './cors.js'
import { loadTls } from './tls.js'

/** Paths that answer over plain HTTP from anywhere, for health probes and scrapers. */
const EXEMPT = new Set(['/health/alive', '/health/ready', '/metrics/prometheus', '/admin/metrics/prometheus'])

export class AddressRanges {
  private readonly list = new BlockList()

  constructor(readonly ranges: readonly string[]) {
    for (const range of ranges) {
      const [net, bits] = range.split('/')
      const family = net === undefined ? 0 : isIP(net)
      if (net === undefined || family === 0 || bits === undefined) throw new Error(`not a CIDR range: ${range}`)
      this.list.addSubnet(net, Number(bits), family === 4 ? 'ipv4' : 'ipv6')
    }
  }

  get empty(): boolean {
    return this.ranges.length === 0
  }

  /** Whether an address (IPv4, IPv6 or IPv4-mapped IPv6 as sockets report it) is in a range. */
  contains(address: string | undefined): boolean {
    if (address === undefined || address === '') return false
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
    if (mapped !== undefined && this.list.check(mapped, 'ipv4')) return true
    const family = isIP(address)
    if (family === 0) return false
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6')
  }
}

/** Fastify's trustProxy value: a predicate over the peer address (false: never trust the headers). */
export function trustProxyOf(tls: Pick<TlsConfig, 'allow_termination_from'>): false | ((address: string) => boolean) {
  const list = tls.allow_termination_from ?? []
  if (list.length === 0) return false
  const ranges = new AddressRanges(list)
  return (address: string) => ranges.contains(address)
}

const insecure = () =>
  new OAuthError(
    'request_forbidden',
    'The request was refused because it did not arrive over HTTPS.',
    502,
    'Plain HTTP is accepted only from a TLS-terminating proxy in serve.tls.allow_termination_from that sets X-Forwarded-Proto: https.',
  )

/**
 * Refuses plain-HTTP requests that did not come through an allowed TLS-terminating proxy. Does
 * nothing when the listener serves TLS itself or no ranges are configured.
 */
export function requireTlsTermination(app: FastifyInstance, tls: Pick<TlsConfig, 'enabled' | 'allow_termination_from'>): void {
  const list = tls.allow_termination_from ?? []
  if (tls.enabled || list.length === 0) return
  const ranges = new AddressRanges(list)
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? ''
    if (EXEMPT.has(path)) return
    const socket = request.raw.socket as { encrypted?: boolean; remoteAddress?: string }
    if (socket.encrypted === true) return
    if (!ranges.contains(socket.remoteAddress)) throw insecure()
    // A proxy chain may send a list; the value the nearest proxy saw comes last.
    const given = request.headers['x-forwarded-proto']
    const proto = (Array.isArray(given) ? given.join(',') : (given ?? '')).split(',').at(-1)?.trim().toLowerCase()
    if (proto !== 'https') throw insecure()
  })
}

/** The createApp options a listener's configuration asks for: proxy trust and HTTPS. */
export function listenerEdgeOptions(
  listener: 'public' | 'admin',
  config: Pick<ListenerConfig, 'tls'> & Partial<Pick<ListenerConfig, 'timeouts' | 'max_connections'>>,
): Pick<AppOptions, 'trustProxy' | 'https' | 'limits'> {
  const https = loadTls(listener, config.tls)
  const limits = config.timeouts ? { ...config.timeouts, maxConnections: config.max_connections ?? 0 } : undefined
  return { trustProxy: trustProxyOf(config.tls), ...(https ? { https } : {}), ...(limits ? { limits } : {}) }
}

/** The edge hooks of a listener, installed right after createApp and before any route: the TLS-termination guard and CORS. */
export function installEdge(app: FastifyInstance, config: Pick<ListenerConfig, 'tls' | 'cors'>, cors: CorsOptions = {}): void {
  requireTlsTermination(app, config.tls)
  installCors(app, config.cors, cors)
}

/**
 * Hydra's start-up warning for a production listener that neither serves TLS nor names the
 * proxies that terminate it; undefined when there is nothing to say.
 */
export function plainHttpWarning(listener: 'public' | 'admin', dev: boolean, tls: Pick<TlsConfig, 'enabled' | 'allow_termination_from'>): string | undefined {
  if (dev || tls.enabled || (tls.allow_termination_from ?? []).length > 0) return undefined
  return `the ${listener} listener serves plain HTTP: make sure a proxy in front of it provides HTTPS and redirects HTTP to HTTPS (or set serve.${listener}.tls.* / serve.tls.allow_termination_from)`
}
