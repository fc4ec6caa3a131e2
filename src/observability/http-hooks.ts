// Request metrics as Fastify hooks. Everything that can be known when a route is declared (its
// pattern, whether it is a flow step) is worked out once in onRoute; the per-request hook only
// records the method, status and elapsed time. Labels carry the route PATTERN (`/admin/clients/:id`),
// never the request's path or query, which hold ids, codes and challenges.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import { UNMATCHED_ROUTE, type Metrics } from './metrics.js'

type ResponseHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

/** A route option that holds one hook or several, as a list. */
export function hookList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

const FLOW_BASE = '/oauth2/auth/requests/'

// What a flow step's answer means for the flow counters; undefined for every other route.
function flowHook(metrics: Metrics, listener: string, url: string): ResponseHook | undefined {
  if (listener === 'public' && url === '/oauth2/auth') {
    // A new flow: the authorization request was sent to the login app with a challenge.
    return (_request, reply, done) => {
      if (reply.statusCode === 302 || reply.statusCode === 303) {
        const location = reply.getHeader('location')
        if (typeof location === 'string' && location.includes('login_challenge=')) metrics.flowStarted()
      }
      done()
    }
  }
  if (listener !== 'admin') return undefined
  const at = url.indexOf(FLOW_BASE)
  if (at < 0) return undefined
  const step = url.slice(at + FLOW_BASE.length)
  const count =
    step === 'consent/accept'
      ? () => metrics.flowCompleted()
      : step === 'login/reject'
        ? () => metrics.flowRejected('login')
        : step === 'consent/reject'
          ? () => metrics.flowRejected('consent')
          : undefined
  if (!count) return undefined
  return (_request, reply, done) => {
    if (reply.statusCode === 200) count()
    done()
  }
}

/** Installs the request metrics on an app; call before any route is registered. */
export function instrumentMetrics(app: FastifyInstance, listener: 'public' | 'admin', metrics: Metrics): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const record = metrics.routeRecorder(listener, route.url)
    const hooks: ResponseHook[] = [
      (request, reply, done) => {
        record(request.method, reply.statusCode, reply.elapsedTime)
        done()
      },
    ]
    const flow = flowHook(metrics, listener, route.url)
    if (flow) hooks.push(flow)
    route.onResponse = [...hookList(route.onResponse), ...hooks] as RouteOptions['onResponse']
  })
  // Requests no route matched (Fastify's not-found handler), under one label value.
  const unmatched = metrics.routeRecorder(listener, UNMATCHED_ROUTE)
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched(request.method, reply.statusCode, reply.elapsedTime)
    done()
  })
}
