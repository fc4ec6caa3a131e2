// The ceiling: a bare Fastify app that parses the form body and answers fixed, token-shaped JSON.
// Nothing real an OAuth server does can be faster than this on the same machine.
import { parse } from 'node:querystring'
import Fastify from 'fastify'
import { announce } from './child.js'

const TOKEN = JSON.stringify({
  access_token: `ory_at_${'a'.repeat(43)}.${'b'.repeat(43)}`,
  expires_in: 3599,
  scope: '',
  token_type: 'bearer',
})
const INTROSPECTION = JSON.stringify({
  active: true,
  client_id: 'ceiling',
  exp: 1_900_000_000,
  iat: 1_800_000_000,
  iss: 'http://127.0.0.1/',
  nbf: 1_800_000_000,
  sub: 'ceiling',
  token_type: 'Bearer',
  token_use: 'access_token',
})

const app = Fastify({ logger: false })
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
  done(null, parse(typeof body === 'string' ? body : body.toString('utf8')))
})
app.post('/oauth2/token', async (_req, reply) => reply.header('content-type', 'application/json').send(TOKEN))
app.post('/admin/oauth2/introspect', async (_req, reply) => reply.header('content-type', 'application/json').send(INTROSPECTION))

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
if (address === null || typeof address === 'string') throw new Error('no TCP address')
announce({ url: `http://127.0.0.1:${address.port}` })
