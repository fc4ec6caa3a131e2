import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError, errorBody, invalidRequest, notFound, serverError } from '../oauth2/errors.js'
import type { Logger } from '../logging.js'
import { optionsAllow, wrongMethod } from './route-table.js'

// Fastify's own failures, translated into the one error shape every endpoint answers with.
function fromFastify(e: FastifyError): OAuthError | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OAuthError(
        'invalid_request',
        'The request body has an unsupported content type.',
        415,
        'Send the body as application/json.',
      )
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'The request body is too large.', 413)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidRequest('The request body is empty but must be a JSON document.')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidRequest('The request body is not valid JSON.')
  }
  if (e instanceof SyntaxError) return invalidRequest('The request body is not valid JSON.')
  if (e.validation) return invalidRequest(e.message)
  const status = e.statusCode ?? 500
  if (status >= 400 && status < 500) return new OAuthError('invalid_request', e.message, status)
  return undefined
}

export interface ErrorRendering {
  exposeDebug: boolean
  logger: Logger
  /** For a route this listener lacks: a hint naming the listener that has it (http/other-listener.ts). */
  notFoundHint?: (url: string) => string | undefined
}

export function sendError(reply: FastifyReply, err: OAuthError, opts: { exposeDebug: boolean }): FastifyReply {
  if (err.headers) reply.headers(err.headers)
  return reply
    .code(err.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('content-type', 'application/json; charset=utf-8')
    .send(errorBody(err, { exposeDebug: opts.exposeDebug, requestId: String(reply.request.id) }))
}

/**
 * Fastify's option `frameworkErrors`: the router's own refusals, which happen before any route,
 * hook or error handler (a path segment that is not valid percent-encoding, a path parameter over
 * maxParamLength), answered by the same renderer instead of Fastify's bare JSON, without echoing
 * the path.
 */
export function frameworkErrors(opts: { exposeDebug: boolean }) {
  return (e: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const err =
      e.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new OAuthError('invalid_request', 'The request URL has a path segment that is too long.', 414)
        : e.code === 'FST_ERR_BAD_URL'
          ? invalidRequest('The request URL has a path segment that is not valid percent-encoding.')
          : serverError(e.message)
    reply.header('x-request-id', request.id)
    sendError(reply, err, opts)
  }
}

export function installErrorHandling(app: FastifyInstance, opts: ErrorRendering): void {
  app.setErrorHandler((raw: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply) => {
    let err = raw instanceof OAuthError ? raw : fromFastify(raw)
    if (!err) {
      // Unexpected: log the detail on the server, give the client nothing internal.
      opts.logger.error({ request_id: request.id, err: { message: raw.message, stack: raw.stack } }, 'unexpected error')
      err = serverError(raw.message)
    } else if (err.status >= 500) {
      opts.logger.error({ request_id: request.id, error: err.error, debug: err.debug }, 'request failed')
    }
    return sendError(reply, err, opts)
  })
  app.setNotFoundHandler((request, reply) => {
    const allow = optionsAllow(app, request)
    if (allow !== undefined) return reply.code(200).header('allow', allow).send()
    const hint = opts.notFoundHint?.(request.url) ?? 'The requested route does not exist.'
    return sendError(reply, wrongMethod(app, request) ?? notFound(hint), opts)
  })
}
