// application/x-www-form-urlencoded bodies (RFC 6749 Appendix B), for the OAuth 2.0 endpoints
// only: each route module that needs forms installs the parser in its own encapsulated scope.
// multipart/form-data text fields are read as well (http/multipart.ts), as Hydra does.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { invalidRequest } from '../oauth2/errors.js'
import type { FormParams } from '../oauth2/token.js'
import { MULTIPART, parseMultipart } from './multipart.js'

const FORM = 'application/x-www-form-urlencoded'

/** A repeated parameter becomes an array, so the core can refuse it (RFC 6749 §3.2). */
export function parseForm(text: string): Record<string, string | string[]> {
  // No prototype: a parameter named __proto__ or constructor is just a parameter.
  const out = Object.create(null) as Record<string, string | string[]>
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name]
    if (seen === undefined) out[name] = value
    else if (typeof seen === 'string') out[name] = [seen, value]
    else seen.push(value)
  }
  return out
}

/**
 * Installs the form parser in `app`'s scope, plus a catch-all that reads any other body without
 * interpreting it, so that the route can answer a wrong content type in the OAuth 2.0 error shape.
 */
export function acceptForms(app: FastifyInstance): void {
  // Only forms are parsed here: a JSON or text body reaches the catch-all below and is not read,
  // as Go's ParseForm ignores it (a JSON object given to POST /oauth2/auth must not become its
  // parameters with numbers or objects for values).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')))
  })
  // As Hydra's endpoints parse multipart forms too (text fields only; see multipart.ts).
  app.addContentTypeParser(MULTIPART, { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (request, body, done) => {
    try {
      done(null, parseMultipart(Buffer.isBuffer(body) ? body : Buffer.from(body), request.headers['content-type']))
    } catch (e) {
      done(e as Error)
    }
  })
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined))
}

/** The request's form parameters; an empty request body is an empty form. */
export function formBody(request: FastifyRequest): FormParams {
  const type = request.headers['content-type']
  if (type === undefined) return {}
  const media = type.split(';')[0]?.trim().toLowerCase()
  if (media !== FORM && media !== MULTIPART) throw invalidRequest(`The request body must be sent as ${FORM} or ${MULTIPART}.`)
  return (request.body ?? {}) as FormParams
}
