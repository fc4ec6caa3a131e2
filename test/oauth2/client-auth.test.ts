import { randomUUID } from 'node:crypto'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientService } from '../../src/client/service.js'
import { createHasher, type SecretHasher } from '../../src/crypto/hasher.js'
import { ClientAuthenticator, parseBasic } from '../../src/oauth2/client-auth.js'
import { ClientKeySets } from '../../src/oauth2/client-jwks.js'
import { JWT_BEARER_ASSERTION } from '../../src/oauth2/client-assertion.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { Aead } from '../../src/crypto/aead.js'
import { SqlClientStore } from '../../src/persistence/sql/client-store.js'
import { SqlStorage } from '../../src/persistence/sql/storage.js'
import { SqlTokenStore } from '../../src/persistence/sql/token-store.js'
import { migratedDb, networkId, testDatabases } from '../support/databases.js'
import { startJwksServer, type JwksServer } from '../support/jwks-server.js'

const TOKEN_URL = 'https://auth.example/oauth2/token'
const ISSUER = 'https://auth.example/'

// RFC 6749 Appendix B: what a client does to id and secret before Basic encoding.
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
const basic = (id: string, secret: string, encode = formEncode) =>
  `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p
  } catch (e) {
    if (e instanceof OAuthError) return e
    throw e
  }
  throw new Error('expected an OAuthError')
}

/** A hasher that counts how often a secret is really verified. */
function countingHasher(inner: SecretHasher) {
  const counter = { verifications: 0 }
  const hasher: SecretHasher = {
    algorithm: inner.algorithm,
    hash: (s) => inner.hash(s),
    verify: (s, e) => {
      counter.verifications++
      return inner.verify(s, e)
    },
    close: () => inner.close(),
  }
  return { hasher, counter }
}

interface KeyPair {
  privateKey: CryptoKey
  jwk: JWK
}

async function keyPair(alg: 'ES256' | 'RS256', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg } }
}

for (const t of testDatabases()) {
  describe(`client authentication on ${t.name}`, () => {
    let cleanup: () => Promise<void>
    let service: ClientService
    let auth: ClientAuthenticator
    let counter: { verifications: number }
    let es: KeyPair
    let rs: KeyPair
    let clients: SqlClientStore
    let tokens: SqlTokenStore

    beforeAll(async () => {
      const m = await migratedDb(t)
      cleanup = m.cleanup
      const nid = await networkId(m.db)
      clients = new SqlClientStore(m.db.kysely, nid)
      tokens = new SqlTokenStore(m.db.kysely, nid)
      const counting = countingHasher(createHasher({ algorithm: 'pbkdf2', bcrypt: { cost: 4 }, pbkdf2: { iterations: 1000 } }))
      counter = counting.counter
      service = new ClientService({ clients, units: new SqlStorage(m.db, nid, new Aead(['a-test-system-secret-of-32-chars!'])), hasher: counting.hasher, dev: true, subjectTypes: ['public'] })
      auth = new ClientAuthenticator({
        clients,
        hasher: counting.hasher,
        tokens,
        assertionAudiences: [TOKEN_URL, ISSUER],
      })
      es = await keyPair('ES256', 'es-1')
      rs = await keyPair('RS256', 'rs-1')
      await service.create({ client_id: 'basic', client_secret: 'basic-secret', grant_types: ['client_credentials'] })
      await service.create({ client_id: 'svc:a+b%c', client_secret: 'p%:+ss wörd/=?&', grant_types: ['client_credentials'] })
      await service.create({ client_id: 'post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' })
      await service.create({ client_id: 'public', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] })
      await service.create({
        client_id: 'jwt-es',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [es.jwk, rs.jwk] },
      })
      await service.create({ client_id: 'jwt-any', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [rs.jwk] } })
      await service.create({ client_id: 'jwt-uri', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example/jwks' })
    })
    afterAll(async () => cleanup())

    describe('client_secret_basic', () => {
      it('authenticates with the right secret', async () => {
        const r = await auth.authenticate({ authorization: basic('basic', 'basic-secret'), form: {} })
        expect(r.client.client_id).toBe('basic')
        expect(r.method).toBe('client_secret_basic')
      })

      it('form-decodes id and secret (RFC 6749 §2.3.1), so %, : and + survive', async () => {
        const r = await auth.authenticate({ authorization: basic('svc:a+b%c', 'p%:+ss wörd/=?&'), form: {} })
        expect(r.client.client_id).toBe('svc:a+b%c')
        // Sent without the encoding, "+" means a space and "%:+" is not valid percent-encoding.
        const raw = await failure(auth.authenticate({ authorization: basic('svc:a+b%c', 'p%:+ss wörd/=?&', (s) => s), form: {} }))
        expect(raw.error).toBe('invalid_request')
        const plus = await failure(auth.authenticate({ authorization: basic('basic', 'basic+secret', (s) => s), form: {} }))
        expect(plus.error).toBe('invalid_client')
      })

      it('refuses a wrong secret or an unknown client with invalid_client, 401 and a Basic challenge', async () => {
        for (const header of [basic('basic', 'wrong-secret'), basic('nobody', 'basic-secret'), basic('basic', '')]) {
          const e = await failure(auth.authenticate({ authorization: header, form: {} }))
          expect(e.error).toBe('invalid_client')
          expect(e.status).toBe(401)
          expect(e.headers?.['www-authenticate']).toMatch(/^Basic realm=/)
          // Unknown client and wrong secret read the same.
          expect(e.hint).toBeUndefined()
        }
      })

      it('spends a hash verification on an unknown client too, so timing does not reveal which ids exist', async () => {
        const before = counter.verifications
        await failure(auth.authenticate({ authorization: basic('no-such-client', 'whatever'), form: {} }))
        expect(counter.verifications).toBe(before + 1)
      })

      it('refuses malformed Basic credentials', async () => {
        for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`]) {
          const e = await failure(auth.authenticate({ authorization: header, form: {} }))
          expect(e.error, header).toBe('invalid_client')
        }
        expect(parseBasic('Bearer abc')).toBeUndefined()
        expect(parseBasic(undefined)).toBeUndefined()
      })

      it('refuses a client registered for another method', async () => {
        const e = await failure(auth.authenticate({ authorization: basic('post', 'post-secret'), form: {} }))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toContain("'client_secret_post'")
      })

      it('remembers successful verifications, but never failures', async () => {
        await auth.authenticate({ authorization: basic('basic', 'basic-secret'), form: {} })
        const before = counter.verifications
        await auth.authenticate({ authorization: basic('basic', 'basic-secret'), form: {} })
        expect(counter.verifications).toBe(before)
        await failure(auth.authenticate({ authorization: basic('basic', 'basic-guess'), form: {} }))
        await failure(auth.authenticate({ authorization: basic('basic', 'basic-guess'), form: {} }))
        expect(counter.verifications).toBe(before + 2)
      })

      it('forgets a remembered secret as soon as the client\'s secret changes', async () => {
        await service.create({ client_id: 'rotating', client_secret: 'first-secret', grant_types: ['client_credentials'] })
        await auth.authenticate({ authorization: basic('rotating', 'first-secret'), form: {} })
        await service.replace('rotating', { client_secret: 'second-secret', grant_types: ['client_credentials'] })
        const e = await failure(auth.authenticate({ authorization: basic('rotating', 'first-secret'), form: {} }))
        expect(e.error).toBe('invalid_client')
        expect((await auth.authenticate({ authorization: basic('rotating', 'second-secret'), form: {} })).client.client_id).toBe('rotating')
      })
    })

    describe('client_secret_post and none', () => {
      it('authenticates with client_id and client_secret in the body', async () => {
        const r = await auth.authenticate({ authorization: undefined, form: { client_id: 'post', client_secret: 'post-secret' } })
        expect(r.method).toBe('client_secret_post')
        const e = await failure(auth.authenticate({ authorization: undefined, form: { client_id: 'post', client_secret: 'nope' } }))
        expect(e.error).toBe('invalid_client')
        expect(e.headers).toBeUndefined()
      })

      it('refuses a Basic client that sends its secret in the body', async () => {
        const e = await failure(auth.authenticate({ authorization: undefined, form: { client_id: 'basic', client_secret: 'basic-secret' } }))
        expect(e.error).toBe('invalid_client')
      })

      it('refuses two methods at once with invalid_request', async () => {
        const e = await failure(
          auth.authenticate({ authorization: basic('basic', 'basic-secret'), form: { client_id: 'basic', client_secret: 'basic-secret' } }),
        )
        expect(e.error).toBe('invalid_request')
      })

      it('lets a public client identify itself, and no confidential client', async () => {
        expect((await auth.authenticate({ authorization: undefined, form: { client_id: 'public' } })).method).toBe('none')
        const e = await failure(auth.authenticate({ authorization: undefined, form: { client_id: 'basic' } }))
        expect(e.error).toBe('invalid_client')
        expect((await failure(auth.authenticate({ authorization: undefined, form: {} }))).error).toBe('invalid_request')
      })

      it('refuses a client_id that contradicts the credentials', async () => {
        const e = await failure(auth.authenticate({ authorization: basic('basic', 'basic-secret'), form: { client_id: 'post' } }))
        expect(e.error).toBe('invalid_request')
      })
    })

    describe('private_key_jwt', () => {
      const sign = (key: KeyPair, clientId: string, opts: { aud?: string | string[]; exp?: number | string; jti?: string | null; alg?: string } = {}) => {
        const jwt = new SignJWT(opts.jti === null ? {} : { jti: opts.jti ?? randomUUID() })
          .setProtectedHeader({ alg: opts.alg ?? key.jwk.alg!, kid: key.jwk.kid! })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(opts.aud ?? TOKEN_URL)
          .setIssuedAt()
          .setExpirationTime(opts.exp ?? '5m')
        return jwt.sign(key.privateKey)
      }
      const withAssertion = (assertion: string, extra: Record<string, string> = {}) =>
        auth.authenticate({ authorization: undefined, form: { client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion, ...extra } })

      it('authenticates a valid assertion, also naming the issuer as audience', async () => {
        expect((await withAssertion(await sign(es, 'jwt-es'))).client.client_id).toBe('jwt-es')
        expect((await withAssertion(await sign(es, 'jwt-es', { aud: [ISSUER, 'https://other'] }))).method).toBe('private_key_jwt')
        expect((await withAssertion(await sign(rs, 'jwt-any'), { client_id: 'jwt-any' })).client.client_id).toBe('jwt-any')
      })

      it('refuses a replayed jti', async () => {
        const assertion = await sign(es, 'jwt-es')
        await withAssertion(assertion)
        const e = await failure(withAssertion(assertion))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toMatch(/only be used once/)
        // A fresh assertion reusing the jti is a replay too.
        const jti = randomUUID()
        await withAssertion(await sign(es, 'jwt-es', { jti }))
        expect((await failure(withAssertion(await sign(es, 'jwt-es', { jti })))).error).toBe('invalid_client')
      })

      it('refuses expired assertions and assertions without exp or jti', async () => {
        const expired = await failure(withAssertion(await sign(es, 'jwt-es', { exp: Math.floor(Date.now() / 1000) - 60 })))
        expect(expired.error).toBe('invalid_client')
        expect(expired.hint).toMatch(/expired/)
        const noJti = await failure(withAssertion(await sign(es, 'jwt-es', { jti: null })))
        expect(noJti.error).toBe('invalid_client')
        expect(noJti.hint).toMatch(/jti/)
      })

      it('refuses a wrong audience', async () => {
        const e = await failure(withAssertion(await sign(es, 'jwt-es', { aud: 'https://evil.example/oauth2/token' })))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toContain(TOKEN_URL)
      })

      it('refuses an assertion signed by a key the client did not register', async () => {
        const stranger = await keyPair('ES256', 'es-1')
        const e = await failure(withAssertion(await sign(stranger, 'jwt-es')))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toMatch(/integrity/)
      })

      it('refuses an algorithm other than the client\'s token_endpoint_auth_signing_alg, and HMAC algorithms', async () => {
        const e = await failure(withAssertion(await sign(rs, 'jwt-es')))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toContain("enforces signing algorithm 'ES256'")
        const hs = await new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('jwt-any')
          .setSubject('jwt-any')
          .setAudience(TOKEN_URL)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(32)))
        expect((await failure(withAssertion(hs))).hint).toMatch(/client_secret_jwt/)
      })

      it('refuses iss/sub of another client, other clients\' methods, jwks_uri and garbage', async () => {
        const other = await sign(es, 'jwt-es')
        expect((await failure(withAssertion(other, { client_id: 'jwt-any' }))).error).toBe('invalid_client')
        expect((await failure(withAssertion(await sign(es, 'basic')))).hint).toMatch(/client_secret_basic/)
        expect((await failure(withAssertion(await sign(es, 'jwt-uri')))).hint).toMatch(/jwks_uri/)
        expect((await failure(withAssertion('not.a.jwt'))).error).toBe('invalid_client')
        expect((await failure(withAssertion(''))).error).toBe('invalid_request')
        const wrongType = await failure(
          auth.authenticate({ authorization: undefined, form: { client_assertion_type: 'urn:other', client_assertion: other } }),
        )
        expect(wrongType.error).toBe('invalid_request')
      })
    })

    describe('private_key_jwt with jwks_uri', () => {
      let jwks: JwksServer
      let clock = 0
      let keySets: ClientKeySets
      let uriAuth: ClientAuthenticator
      let first: KeyPair
      const sign = (key: KeyPair, clientId: string) =>
        new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: key.jwk.alg!, kid: key.jwk.kid! })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(TOKEN_URL)
          .setExpirationTime('5m')
          .sign(key.privateKey)
      const assert = async (key: KeyPair, clientId: string, authenticator = uriAuth) =>
        authenticator.authenticate({
          authorization: undefined,
          form: { client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: await sign(key, clientId) },
        })
      const uriClient = (id: string, path: string) =>
        service.create({ client_id: id, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `${jwks.base}${path}` })

      beforeAll(async () => {
        jwks = await startJwksServer()
        clock = Date.now()
        keySets = new ClientKeySets({ dev: true, timeoutMs: 300, now: () => clock })
        uriAuth = new ClientAuthenticator({ clients, hasher: createHasher({ algorithm: 'pbkdf2', bcrypt: { cost: 4 }, pbkdf2: { iterations: 1000 } }), tokens, assertionAudiences: [TOKEN_URL], clientKeys: keySets })
        first = await keyPair('ES256', 'uri-1')
        // Private members published by mistake are dropped, never used.
        const { privateKey } = await generateKeyPair('ES256', { extractable: true })
        jwks.keys = [{ ...first.jwk, d: (await exportJWK(privateKey)).d! }]
        await uriClient('uri-ok', '/jwks')
        for (const p of ['big', 'slow', 'text', 'redirect', 'missing']) await uriClient(`uri-${p}`, `/${p}`)
      })
      afterAll(async () => jwks.close())

      it('authenticates with a key fetched from the jwks_uri, and reuses the fetched set', async () => {
        const before = jwks.hits.get('/jwks') ?? 0
        expect((await assert(first, 'uri-ok')).method).toBe('private_key_jwt')
        expect((await assert(first, 'uri-ok')).client.client_id).toBe('uri-ok')
        expect(jwks.hits.get('/jwks')).toBe(before + 1)
      })

      it('refetches for an unknown kid at most once per 30 s, so rotation works and cannot be abused', async () => {
        await assert(first, 'uri-ok')
        const fetched = () => jwks.hits.get('/jwks') ?? 0
        const rotated = await keyPair('ES256', 'uri-2')
        jwks.keys = [rotated.jwk]
        // Within 30 s of the last fetch: no refetch, the unknown kid is refused.
        const early = await failure(assert(rotated, 'uri-ok'))
        expect(early.error).toBe('invalid_client')
        expect(early.status).toBe(401)
        expect(early.hint).toMatch(/kid/)
        const afterFirst = fetched()
        clock += 31_000
        expect((await assert(rotated, 'uri-ok')).client.client_id).toBe('uri-ok')
        expect(fetched()).toBe(afterFirst + 1)
        // The retired key is now unknown; twice within 30 s still means one fetch at most.
        clock += 31_000
        const stranger = await keyPair('ES256', 'nobody')
        expect((await failure(assert(stranger, 'uri-ok'))).error).toBe('invalid_client')
        expect((await failure(assert(stranger, 'uri-ok'))).error).toBe('invalid_client')
        expect((await failure(assert(first, 'uri-ok'))).error).toBe('invalid_client')
        expect(fetched()).toBe(afterFirst + 2)
        expect((await assert(rotated, 'uri-ok')).method).toBe('private_key_jwt')
      })

      it.each(['uri-big', 'uri-slow', 'uri-text', 'uri-redirect', 'uri-missing'])(
        'refuses %s with a 401 invalid_client and one hint that tells nothing of what the URL answered',
        async (id) => {
          const e = await failure(assert(first, id))
          expect(e.error).toBe('invalid_client')
          expect(e.status).toBe(401)
          expect(e.hint).toBe("Unable to fetch the OAuth 2.0 Client's JSON Web Keys from its jwks_uri: the keys could not be fetched from it.")
        },
      )

      it('does not follow the redirect, and remembers a failure for 30 s', async () => {
        const before = jwks.hits.get('/redirect') ?? 0
        const jwksBefore = jwks.hits.get('/jwks') ?? 0
        await failure(assert(first, 'uri-redirect'))
        await failure(assert(first, 'uri-redirect'))
        expect(jwks.hits.get('/jwks') ?? 0).toBe(jwksBefore)
        expect(jwks.hits.get('/redirect') ?? 0).toBeLessThanOrEqual(before + 1)
      })

      it('refuses a plain http jwks_uri outside dev mode without fetching it', async () => {
        const strict = new ClientAuthenticator({
          clients,
          hasher: createHasher({ algorithm: 'pbkdf2', bcrypt: { cost: 4 }, pbkdf2: { iterations: 1000 } }),
          tokens,
          assertionAudiences: [TOKEN_URL],
          clientKeys: new ClientKeySets({ dev: false }),
        })
        const before = jwks.hits.get('/jwks') ?? 0
        const e = await failure(assert(first, 'uri-ok', strict))
        expect(e.error).toBe('invalid_client')
        expect(e.hint).toMatch(/https/)
        expect(jwks.hits.get('/jwks') ?? 0).toBe(before)
      })
    })
  })
}
