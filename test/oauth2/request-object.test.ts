// Request objects (OpenID Connect Core §6): verified against the client's keys, merged over the
// query, and refused when altered, expired, or pointing elsewhere.
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/model.js'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { applyRequestObject } from '../../src/oauth2/request-object.js'
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
