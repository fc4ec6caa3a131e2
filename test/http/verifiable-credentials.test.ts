// Hydra's verifiable credential endpoint (POST /credentials, OpenID4VCI draft 00) in-process on
// every configured database: the nonce in the token response, the priming answer, a credential
// for a valid proof, and the refusals.
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'

const SCOPE = 'openid userinfo_credential_draft_00'
const basic = (c: TestClient) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`

interface TokenAnswer {
  access_token: string
  scope: string
  c_nonce_draft_00?: string
  c_nonce_expires_in_draft_00?: number
}

async function tokensFor(env: TestApps, scope: string, idToken: Record<string, unknown> = {}): Promise<TokenAnswer> {
  const client = await createClient(env, { scope })
  const back = await fullFlow(env, new CookieJar(), client.client_id, {
    extra: { scope },
    consent: { grant_scope: scope.split(' '), session: { id_token: idToken } },
  })
  const res = await env.public.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    payload: new URLSearchParams({ grant_type: 'authorization_code', code: back.get('code')!, redirect_uri: REDIRECT_URI }).toString(),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as TokenAnswer
}

async function credentials(env: TestApps, token: string | undefined, body: unknown) {
  return env.public.inject({
    method: 'POST',
    url: '/credentials',
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  })
}

async function proof(nonce: unknown, opts: { signWith?: Parameters<SignJWT['sign']>[0] } = {}) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(publicKey)
  const jwt = await new SignJWT(nonce === undefined ? {} : { nonce })
    .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk })
    .setIssuedAt()
    .sign(opts.signWith ?? privateKey)
  return { jwk, body: { format: 'jwt_vc_json', proof: { proof_type: 'jwt', jwt } } }
}

for (const t of testDatabases()) {
  describe(`verifiable credentials on ${t.name}`, () => {
    let env: TestApps
    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV)
    })
    afterAll(async () => env.close())

    it('are advertised by discovery as Hydra does', async () => {
      const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
      expect(doc.credentials_endpoint_draft_00).toBe(new URL('/credentials', env.registry.config.urls.self.public).href)
      expect(doc.credentials_supported_draft_00).toEqual([
        {
          format: 'jwt_vc_json',
          types: ['VerifiableCredential', 'UserInfoCredential'],
          cryptographic_binding_methods_supported: ['jwk'],
          cryptographic_suites_supported: ['PS256', 'RS256', 'ES256', 'PS384', 'RS384', 'ES384', 'PS512', 'RS512', 'ES512', 'EdDSA'],
        },
      ])
    })

    it('put a nonce in the token response only when openid and userinfo_credential_draft_00 were granted', async () => {
      const plain = await tokensFor(env, 'openid offline')
      expect(plain).not.toHaveProperty('c_nonce_draft_00')
      expect(plain).not.toHaveProperty('c_nonce_expires_in_draft_00')
      const vc = await tokensFor(env, SCOPE)
      expect(typeof vc.c_nonce_draft_00).toBe('string')
      expect(vc.c_nonce_expires_in_draft_00).toBe(3600)
    })

    it('prime without a proof, then issue a signed jwt_vc_json credential about the subject for a valid proof', async () => {
      const tokens = await tokensFor(env, SCOPE, { email: 'alice@example.com' })
      const primed = await credentials(env, tokens.access_token, { format: 'jwt_vc_json' })
      expect(primed.statusCode).toBe(400)
      const priming = primed.json()
      expect(priming).toMatchObject({ error: 'missing_proof', format: 'jwt_vc', c_nonce_expires_in: 3600 })
      expect(priming.error_description).toContain('proof is missing')
      expect(typeof priming.c_nonce).toBe('string')

      // The nonce of the token response works as well as the primed one.
      for (const nonce of [priming.c_nonce as string, tokens.c_nonce_draft_00!]) {
        const p = await proof(nonce)
        const res = await credentials(env, tokens.access_token, p.body)
        expect(res.statusCode, res.body).toBe(200)
        const answer = res.json() as { format: string; credential_draft_00: string }
        expect(answer.format).toBe('jwt_vc_json')
        expect(Object.keys(answer).sort()).toEqual(['credential_draft_00', 'format'])
        const jwks = (await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet
        const { payload, protectedHeader } = await jwtVerify(answer.credential_draft_00, createLocalJWKSet(jwks), { issuer: env.registry.config.urls.self.issuer })
        expect(protectedHeader.kid).toBeTruthy()
        const holder = `did:jwk:${Buffer.from(JSON.stringify({ kty: p.jwk.kty, crv: p.jwk.crv, x: p.jwk.x, y: p.jwk.y })).toString('base64url')}`
        expect(payload.sub).toBe(holder)
        expect(payload.exp! - payload.iat!).toBe(3600)
        expect(payload.vc).toEqual({
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'UserInfoCredential'],
          credentialSubject: { id: holder, sub: 'user-1', email: 'alice@example.com' },
        })
      }
    })

    it('refuse proofs that do not hold up, and requests without a usable token', async () => {
      const tokens = await tokensFor(env, SCOPE)
      const other = await tokensFor(env, SCOPE)
      const refused = async (token: string | undefined, body: unknown, status: number, error: string, hint?: string) => {
        const res = await credentials(env, token, body)
        expect(res.statusCode, res.body).toBe(status)
        expect(res.json().error).toBe(error)
        if (hint) expect(res.json().error_description).toContain(hint)
      }
      await refused(undefined, { format: 'jwt_vc_json' }, 401, 'invalid_token')
      await refused('ory_at_not-a-token', { format: 'jwt_vc_json' }, 401, 'invalid_token')
      await refused(tokens.access_token, { format: 'ldp_vc' }, 400, 'invalid_request', 'format')
      await refused(tokens.access_token, { format: 'jwt_vc_json', proof: { proof_type: 'cwt', jwt: 'a.b.c' } }, 400, 'invalid_request', 'proof type')
      await refused(tokens.access_token, { format: 'jwt_vc_json', proof: { proof_type: 'jwt', jwt: 'nope' } }, 400, 'invalid_request', 'malformed')
      // A nonce made for another access token.
      await refused(tokens.access_token, (await proof(other.c_nonce_draft_00)).body, 400, 'invalid_request', 'nonce is invalid')
      await refused(tokens.access_token, (await proof(undefined)).body, 400, 'invalid_request', 'nonce')
      // Signed by a key other than the one in the header.
      const stranger = (await generateKeyPair('ES256')).privateKey
      await refused(tokens.access_token, (await proof(tokens.c_nonce_draft_00, { signWith: stranger })).body, 400, 'invalid_request', 'correct key')
      // An expired nonce.
      const past = String(Math.floor(Date.now() / 1000) - 10)
      const stale = env.registry.aead.seal(past, `vc-nonce-at:${tokens.access_token}`)
      await refused(tokens.access_token, (await proof(stale)).body, 400, 'invalid_request', 'expired')
      // A body that is not a JSON object.
      const body = await credentials(env, tokens.access_token, 'just a string')
      expect(body.statusCode).toBe(400)
    })
  })
}

describe('webfinger.oidc_discovery.verifiable_credentials_url', () => {
  const [sqlite] = testDatabases()
  let env: TestApps
  beforeAll(async () => {
    env = await testApps(sqlite!, { WEBFINGER_OIDC_DISCOVERY_VERIFIABLE_CREDENTIALS_URL: 'https://gateway.example.com/vc', TTL_VC_NONCE: '5m' })
  })
  afterAll(async () => env.close())

  it('replaces the advertised endpoint, and ttl.vc_nonce sets the nonce lifetime', async () => {
    const doc = (await env.public.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
    expect(doc.credentials_endpoint_draft_00).toBe('https://gateway.example.com/vc')
    expect(env.registry.config.ttl.vc_nonce).toBe(300_000)
  })
})
