// The admin API's JSON Web Key endpoints (Hydra's /admin/keys/{set}[/{kid}]). As in Hydra, GET
// answers with the private keys: the admin port is trusted, the public one never sees them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { notFound } from '../oauth2/errors.js'
import type { KeyManager } from './manager.js'
import type { Jwk } from './model.js'
import { checkId, parseCreateRequest, parseImportedKey, parseImportedSet } from './validate.js'

type SetRequest = FastifyRequest<{ Params: { set: string } }>
type KeyRequest = FastifyRequest<{ Params: { set: string; kid: string } }>

const noSet = (set: string) => notFound(`The JSON Web Key Set "${set}" does not exist.`)
const noKey = (set: string, kid: string) => notFound(`The JSON Web Key "${kid}" does not exist in the set "${set}".`)

const keySet = (keys: readonly Jwk[]) => ({ keys })

export function jwkAdminRoutes(keys: KeyManager) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // createJsonWebKeySet: generates one key, adds it to the set (creating the set) and returns
    // the generated key as a set, as Hydra does; a kid taken in the set is a 409.
    app.post('/keys/:set', async (request: SetRequest, reply: FastifyReply) => {
      const set = checkId(request.params.set, 'set')
      const jwk = await keys.create(set, parseCreateRequest(request.body))
      return reply.code(201).header('location', `/admin/keys/${encodeURIComponent(set)}`).send(keySet([jwk]))
    })

    app.get('/keys/:set', async (request: SetRequest) => {
      const set = checkId(request.params.set, 'set')
      const found = await keys.getSet(set)
      if (found.length === 0) throw noSet(set)
      return keySet(found)
    })

    // setJsonWebKeySet: keys not in the body are deleted.
    app.put('/keys/:set', async (request: SetRequest) => {
      const set = checkId(request.params.set, 'set')
      return keySet(await keys.replaceSet(set, await parseImportedSet(request.body)))
    })

    app.delete('/keys/:set', async (request: SetRequest, reply: FastifyReply) => {
      const set = checkId(request.params.set, 'set')
      if (!(await keys.deleteSet(set))) throw noSet(set)
      return reply.code(204).send()
    })

    // getJsonWebKey answers with a set holding the one key.
    app.get('/keys/:set/:kid', async (request: KeyRequest) => {
      const set = checkId(request.params.set, 'set')
      const kid = checkId(request.params.kid, 'kid')
      const jwk = await keys.getKey(set, kid)
      if (!jwk) throw noKey(set, kid)
      return keySet([jwk])
    })

    // setJsonWebKey: the key is stored under the kid of the body; the path's kid is only used
    // when the body has none (the contract says the path parameter is otherwise ignored).
    app.put('/keys/:set/:kid', async (request: KeyRequest) => {
      const set = checkId(request.params.set, 'set')
      const kid = checkId(request.params.kid, 'kid')
      return keys.putKey(set, await parseImportedKey(request.body, '', kid))
    })

    app.delete('/keys/:set/:kid', async (request: KeyRequest, reply: FastifyReply) => {
      const set = checkId(request.params.set, 'set')
      const kid = checkId(request.params.kid, 'kid')
      if (!(await keys.deleteKey(set, kid))) throw noKey(set, kid)
      return reply.code(204).send()
    })
  }
}
