// The public edge of dynamic client registration (RFC 7591 §3, RFC 7592 §2). Only mounted when
// oidc.dynamic_client_registration.enabled is set; otherwise the paths are unknown routes (404).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { REGISTRATION_PATH, type DynamicRegistration } from './registration.js'

type WithId = FastifyRequest<{ Params: { id: string } }>

// RFC 7591 §3.2.1 / RFC 7592 §3: responses carrying credentials must not be cached.
const noStore = (reply: FastifyReply): FastifyReply =>
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache').header('content-type', 'application/json; charset=utf-8')

export function registrationRoutes(registration: DynamicRegistration) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // RFC 7591 §3.1: the metadata is a JSON document. Any other body is a 415 in the error shape.
    app.removeAllContentTypeParsers()
    const json = app.getDefaultJsonParser('error', 'error')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8')
      if (text.trim() === '') return done(null, undefined)
      json(request, text, done)
    })

    app.post(REGISTRATION_PATH, async (request, reply) =>
      noStore(reply).code(201).send(await registration.register(request.body)),
    )

    app.get(`${REGISTRATION_PATH}/:id`, async (request: WithId, reply) =>
      noStore(reply).send(await registration.read(request.params.id, request.headers.authorization)),
    )

    app.put(`${REGISTRATION_PATH}/:id`, async (request: WithId, reply) =>
      noStore(reply).send(await registration.update(request.params.id, request.headers.authorization, request.body)),
    )

    app.delete(`${REGISTRATION_PATH}/:id`, async (request: WithId, reply) => {
      await registration.delete(request.params.id, request.headers.authorization)
      return reply.code(204).send()
    })
  }
}
