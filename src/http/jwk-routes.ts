// The JSON Web Key endpoints: the admin API's /admin/keys/{set}[/{kid}] and the public
// /.well-known/jwks.json. As in Hydra, the admin GETs answer with the private keys: the admin port
// is trusted, the public one only ever sees public halves.
import type { FastifyReply } from 'fastify'
import type { KeyManager } from '../jwk/manager.js'
import { MAX_ID_LENGTH, type Jwk } from '../jwk/model.js'
import {
  createRequestRefused,
  keyRefused,
  parseCreateRequest,
  parseImportedKey,
  parseImportedSet,
  setRefused,
  type CreateKeyBody,
  type KeyBody,
  type KeySetBody,
} from '../jwk/validate.js'
import { notFound } from '../oauth2/errors.js'
import { paramOf, type Route, type RouteGroup } from './route-table.js'
import { createJsonWebKeySet, errorOAuth2, jsonWebKey, jsonWebKeySet, pathParams } from './schemas/components.js'


const noSet = (set: string) => notFound(`The JSON Web Key Set "${set}" does not exist.`)
const noKey = (set: string, kid: string) => notFound(`The JSON Web Key "${kid}" does not exist in the set "${set}".`)

const keySet = (keys: readonly Jwk[]) => ({ keys })

// Set and key ids fit Hydra's columns (255 characters) and are never empty.
const ID = (description: string) => ({ type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, description })
const SET = pathParams({ set: ID('The key set id') })
const KEY = pathParams({ set: ID('The key set id'), kid: ID('The key id') })
const jwk = { tags: ['jwk'] as const }

export function jwkAdminRoutes(keys: KeyManager): RouteGroup {
  const routes: Route[] = [
    // createJsonWebKeySet: generates one key, adds it to the set (creating the set) and returns
    // the generated key as a set, as Hydra does; a kid taken in the set is a 409.
    {
      ...jwk,
      method: 'POST',
      url: '/keys/:set',
      operationId: 'createJsonWebKeySet',
      summary: 'Generate a key in a set',
      params: SET,
      // A member of the wrong type is refused in jwk/validate.ts's words, which name the
      // algorithms offered; the values are checked there too.
      body: { media: 'json', schema: createJsonWebKeySet, refuse: (_reason, p) => createRequestRefused(p.at, p.value) },
      responses: { '201': jsonWebKeySet, default: errorOAuth2 },
      handler: async (request, reply: FastifyReply) => {
        const set = paramOf(request, 'set')
        const created = await keys.create(set, parseCreateRequest(request.body as CreateKeyBody | null))
        return reply.code(201).header('location', `/admin/keys/${encodeURIComponent(set)}`).send(keySet([created]))
      },
    },
    {
      ...jwk,
      method: 'GET',
      url: '/keys/:set',
      operationId: 'getJsonWebKeySet',
      summary: 'Read a key set',
      params: SET,
      responses: { '200': jsonWebKeySet, default: errorOAuth2 },
      handler: async (request) => {
        const set = paramOf(request, 'set')
        const found = await keys.getSet(set)
        if (found.length === 0) throw noSet(set)
        return keySet(found)
      },
    },
    // setJsonWebKeySet: keys not in the body are deleted.
    {
      ...jwk,
      method: 'PUT',
      url: '/keys/:set',
      operationId: 'setJsonWebKeySet',
      summary: 'Replace a key set',
      params: SET,
      // Refused in jwk/validate.ts's words, which name the key in the set (`keys[0]: ...`).
      body: { media: 'json', schema: jsonWebKeySet, refuse: (_reason, p) => setRefused(p.at, p.value) },
      responses: { '200': jsonWebKeySet, default: errorOAuth2 },
      handler: async (request) => {
        const set = paramOf(request, 'set')
        return keySet(await keys.replaceSet(set, await parseImportedSet(request.body as KeySetBody | null)))
      },
    },
    {
      ...jwk,
      method: 'DELETE',
      url: '/keys/:set',
      operationId: 'deleteJsonWebKeySet',
      summary: 'Delete a key set',
      params: SET,
      responses: { '204': 'Deleted', default: errorOAuth2 },
      handler: async (request, reply) => {
        // Hydra answers 204 whether or not the set existed: the outcome is the same.
        await keys.deleteSet(paramOf(request, 'set'))
        return reply.code(204).send()
      },
    },
    // getJsonWebKey answers with a set holding the one key.
    {
      ...jwk,
      method: 'GET',
      url: '/keys/:set/:kid',
      operationId: 'getJsonWebKey',
      summary: 'Read one key',
      params: KEY,
      responses: { '200': jsonWebKeySet, default: errorOAuth2 },
      handler: async (request) => {
        const set = paramOf(request, 'set')
        const kid = paramOf(request, 'kid')
        const found = await keys.getKey(set, kid)
        if (!found) throw noKey(set, kid)
        return keySet([found])
      },
    },
    // setJsonWebKey: the key is stored under the kid of the body; the path's kid is only used
    // when the body has none (the contract says the path parameter is otherwise ignored).
    {
      ...jwk,
      method: 'PUT',
      url: '/keys/:set/:kid',
      operationId: 'setJsonWebKey',
      summary: 'Replace one key',
      params: KEY,
      body: { media: 'json', schema: jsonWebKey, refuse: (_reason, p) => keyRefused(p.at, p.value) },
      responses: { '200': jsonWebKey, default: errorOAuth2 },
      handler: async (request) => {
        const set = paramOf(request, 'set')
        const kid = paramOf(request, 'kid')
        return keys.putKey(set, await parseImportedKey(request.body as KeyBody | null, '', kid))
      },
    },
    {
      ...jwk,
      method: 'DELETE',
      url: '/keys/:set/:kid',
      operationId: 'deleteJsonWebKey',
      summary: 'Delete one key',
      params: KEY,
      responses: { '204': 'Deleted', default: errorOAuth2 },
      handler: async (request, reply) => {
        // As for sets: 204 for a key that was not there.
        await keys.deleteKey(paramOf(request, 'set'), paramOf(request, 'kid'))
        return reply.code(204).send()
      },
    },
  ]
  return { admin: true, routes }
}

// Short, so relying parties pick up a rotated key quickly; they refetch on an unknown kid anyway.
const CACHE_CONTROL = 'public, max-age=60'

export function jwksRoutes(keys: KeyManager): RouteGroup {
  return {
    routes: [
      {
        method: 'GET',
        url: '/.well-known/jwks.json',
        operationId: 'discoverJsonWebKeys',
        summary: 'The public keys that verify ID tokens and JWT access tokens',
        tags: ['wellknown'],
        responses: { '200': jsonWebKeySet, default: errorOAuth2 },
        discovery: 'jwks_uri',
        handler: async (_request, reply) => reply.header('cache-control', CACHE_CONTROL).send({ keys: await keys.publishedKeys() }),
      },
    ],
  }
}
