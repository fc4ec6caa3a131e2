// The jwks_uri key cache: public halves only, one fetch for concurrent callers, bounded entries.
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { ClientKeySets, JwksUriError, publicKeySet } from '../../src/oauth2/client-jwks.js'

describe('publicKeySet', () => {
  it('keeps only the public members of asymmetric keys', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const priv = { ...(await exportJWK(privateKey)), kid: 'k' }
    const set = publicKeySet(JSON.stringify({ keys: [priv, { kty: 'oct', k: 'c2VjcmV0' }, 'junk'] }))
    expect(set.keys).toHaveLength(1)
    expect(set.keys[0]).not.toHaveProperty('d')
    expect(set.keys[0]).toMatchObject({ kty: 'EC', kid: 'k' })
  })

  it('refuses what is not a JWK Set with public keys', () => {
    expect(() => publicKeySet('nope')).toThrow(JwksUriError)
    expect(() => publicKeySet('[]')).toThrow(/not a JSON Web Key Set/)
    expect(() => publicKeySet('{"keys":[{"kty":"oct","k":"eA"}]}')).toThrow(/no public keys/)
  })
})

describe('ClientKeySets', () => {
  it('fetches once for concurrent callers and forgets the oldest URI beyond its bound', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'a', alg: 'ES256' }] })
    const fetched: string[] = []
    const sets = new ClientKeySets({
      dev: false,
      maxEntries: 2,
      fetch: async (uri) => {
        fetched.push(uri)
        await new Promise((r) => setTimeout(r, 10))
        return body
      },
    })
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'a' }).sign(privateKey)
    const [header, payload, signature] = jwt.split('.') as [string, string, string]
    const token = { protected: header, payload, signature }
    const resolve = (uri: string) => sets.resolver(uri)({ alg: 'ES256', kid: 'a' }, token)
    await Promise.all([resolve('https://a.example/jwks'), resolve('https://a.example/jwks')])
    expect(fetched).toEqual(['https://a.example/jwks'])
    await resolve('https://b.example/jwks')
    await resolve('https://c.example/jwks')
    await resolve('https://a.example/jwks')
    expect(fetched).toEqual(['https://a.example/jwks', 'https://b.example/jwks', 'https://c.example/jwks', 'https://a.example/jwks'])
  })
})
