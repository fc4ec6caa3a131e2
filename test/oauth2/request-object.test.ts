// Request objects (OpenID Connect Core §6): verified against the client's keys, merged over the
// query, and refused when altered, expired, or pointing elsewhere.
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/model.js'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { ClientKeySets } from '../../src/oauth2/client-jwks.js'
import { applyRequestObject } from '../../src/oauth2/request-object.js'
import { startJwksServer, type JwksServer } from '../support/jwks-server.js'
import { sampleClient } from '../support/fixtures.js'

let client: Client
let sign: (claims: Record<string, unknown>, exp?: number) => Promise<string>

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  client = sampleClient({ client_id: 'app', jwks: { keys: [jwk] }, request_uris: ['https://app.example.com/request.jwt'] })
  sign = (claims, exp = Math.floor(Date.now() / 1000) + 60) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime(exp).sign(privateKey)
})

const base = (extra: Array<[string, string]>) =>
  new AuthorizeParams([['client_id', 'app'], ['response_type', 'code'], ['scope', 'openid'], ...extra])

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    if (e instanceof OAuthError) return e.error
    throw e
  }
  return 'none'
}

describe('applyRequestObject', () => {
  it('merges a signed request object over the query parameters', async () => {
    const params = base([['request', await sign({ state: 'from-object', scope: 'profile', max_age: 30 })]])
    await applyRequestObject(params, client)
    expect(params.get('state')).toBe('from-object')
    expect(params.get('scope')).toBe('profile openid')
    expect(params.get('max_age')).toBe('30')
  })

  it('is ignored outside OpenID Connect', async () => {
    const params = new AuthorizeParams([['scope', 'offline'], ['request', 'garbage']])
    await applyRequestObject(params, client)
    expect(params.get('request')).toBe('garbage')
  })

  it('refuses bad signatures, expired objects, mismatched client_id, and both request and request_uri', async () => {
    const good = await sign({ state: 's' })
    const altered = `${good.slice(0, -4)}AAAA`
    expect(await errorOf(applyRequestObject(base([['request', altered]]), client))).toBe('invalid_request_object')
    expect(await errorOf(applyRequestObject(base([['request', await sign({}, 1000)]]), client))).toBe('invalid_request_object')
    expect(await errorOf(applyRequestObject(base([['request', await sign({ client_id: 'other' })]]), client))).toBe('invalid_request_object')
    expect(await errorOf(applyRequestObject(base([['request', good], ['request_uri', 'https://x']]), client))).toBe('invalid_request')
    const keyless = sampleClient({ client_id: 'app', jwks: null, jwks_uri: '' })
    expect(await errorOf(applyRequestObject(base([['request', good]]), keyless))).toBe('invalid_request')
  })

  it("honours the client's request_object_signing_alg, also against unsigned objects", async () => {
    const unsigned = new UnsecuredJWT({ state: 'plain' }).encode()
    const params = base([['request', unsigned]])
    await applyRequestObject(params, client)
    expect(params.get('state')).toBe('plain')
    const strict = { ...client, request_object_signing_alg: 'RS256' }
    expect(await errorOf(applyRequestObject(base([['request', unsigned]]), strict))).toBe('invalid_request_object')
  })

  it('fetches registered request_uris only', async () => {
    const jwt = await sign({ state: 'by-reference' })
    const fetched: string[] = []
    const fetcher = async (uri: string) => {
      fetched.push(uri)
      return jwt
    }
    const params = base([['request_uri', 'https://app.example.com/request.jwt']])
    await applyRequestObject(params, client, fetcher)
    expect(params.get('state')).toBe('by-reference')
    expect(await errorOf(applyRequestObject(base([['request_uri', 'https://evil.example/x']]), client, fetcher))).toBe('invalid_request_uri')
    expect(fetched).toEqual(['https://app.example.com/request.jwt'])
    const failing = async () => {
      throw new Error('boom')
    }
    expect(await errorOf(applyRequestObject(base([['request_uri', 'https://app.example.com/request.jwt']]), client, failing))).toBe(
      'invalid_request_uri',
    )
  })
})

describe('applyRequestObject with a jwks_uri client', () => {
  let jwks: JwksServer
  let signKey: Parameters<SignJWT['sign']>[0]
  beforeAll(async () => {
    jwks = await startJwksServer()
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    signKey = privateKey
    jwks.keys = [{ ...(await exportJWK(publicKey)), kid: 'uri-k1', alg: 'ES256', use: 'sig' }]
  })
  afterAll(async () => jwks.close())
  const signed = (kid: string, claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime('1m').sign(signKey)
  const uriClient = (path: string) => sampleClient({ client_id: 'app', jwks: null, jwks_uri: `${jwks.base}${path}` })

  it('verifies a signed request object with the keys at the jwks_uri', async () => {
    const keys = new ClientKeySets({ dev: true })
    const params = base([['request', await signed('uri-k1', { state: 'via-jwks-uri' })]])
    await applyRequestObject(params, uriClient('/jwks'), undefined, keys)
    expect(params.get('state')).toBe('via-jwks-uri')
  })

  it('refuses an unknown kid, an unusable jwks_uri, and http outside dev with invalid_request_object', async () => {
    const keys = new ClientKeySets({ dev: true, timeoutMs: 300 })
    const request = async (kid = 'uri-k1') => base([['request', await signed(kid, { state: 's' })]])
    expect(await errorOf(applyRequestObject(await request('other'), uriClient('/jwks'), undefined, keys))).toBe('invalid_request_object')
    for (const path of ['/text', '/big', '/redirect', '/slow']) {
      expect(await errorOf(applyRequestObject(await request(), uriClient(path), undefined, keys)), path).toBe('invalid_request_object')
    }
    const strict = new ClientKeySets({ dev: false })
    const before = jwks.hits.get('/jwks') ?? 0
    const err = await applyRequestObject(await request(), uriClient('/jwks'), undefined, strict).catch((e: unknown) => e)
    expect(err).toMatchObject({ error: 'invalid_request_object', hint: expect.stringMatching(/https/) })
    expect(jwks.hits.get('/jwks') ?? 0).toBe(before)
  })
})
