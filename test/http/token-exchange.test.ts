// OAuth 2.0 Token Exchange (RFC 8693) at /oauth2/token, in-process, on every configured database:
// a resource server trades a user's access token for a narrower one for a downstream service,
// with and without an actor; ID tokens and trusted JWTs as subject tokens; every refusal.
import { randomUUID } from 'node:crypto'
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApps, type TestApps } from '../support/app.js'
import { testClock } from '../support/clock.js'
import { testDatabases } from '../support/databases.js'
import { FakeServer } from '../support/fake-http.js'
import { CookieJar, FLOW_ENV, REDIRECT_URI, createClient, fullFlow, type TestClient } from '../support/flow.js'
import { basic, introspect, tokenCall } from '../support/tokens.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const AT = 'urn:ietf:params:oauth:token-type:access_token'
const RT = 'urn:ietf:params:oauth:token-type:refresh_token'
const IDT = 'urn:ietf:params:oauth:token-type:id_token'
const JWT = 'urn:ietf:params:oauth:token-type:jwt'
const USER_SCOPE = ['openid', 'offline', 'orders.read', 'orders.write']
const DOWNSTREAM = 'https://inventory.example.com'
const IDP = 'https://idp.example.org'

type Body = Record<string, unknown>

for (const t of testDatabases()) {
  describe(`token exchange on ${t.name}`, () => {
    let env: TestApps
    /** The resource server: receives the user's tokens, exchanges them for downstream calls. */
    let rs: TestClient
    /** The downstream service, also a resource server that can exchange what it receives. */
    let inv: TestClient
    /** The application the user logs in to. */
    let app: TestClient
    let idpKey: CryptoKey
    let idpJwk: JWK
    const clock = testClock()

    beforeAll(async () => {
      env = await testApps(t, FLOW_ENV, { clock })
      const suffix = randomUUID().slice(0, 8)
      inv = await createClient(env, {
        client_id: `inventory-${suffix}`,
        grant_types: ['authorization_code', 'client_credentials', GRANT],
        scope: 'orders.read',
      })
      rs = await createClient(env, {
        client_id: `orders-api-${suffix}`,
        grant_types: ['authorization_code', 'client_credentials', GRANT],
        scope: 'openid orders.read orders.write',
        audience: [DOWNSTREAM, inv.client_id],
      })
      app = await createClient(env, {
        grant_types: ['authorization_code', 'refresh_token', GRANT],
        scope: USER_SCOPE.join(' '),
        audience: [rs.client_id],
      })
      const pair = await generateKeyPair('ES256', { extractable: true })
      idpKey = pair.privateKey
      idpJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }
    })
    afterAll(async () => env.close())

    /** The user logs in to `app`, consenting to tokens for the orders API; returns the token response. */
    async function userTokens(opts: { subject?: string; accessClaims?: Body; scope?: string[]; client?: TestClient } = {}): Promise<Body> {
      const scope = opts.scope ?? USER_SCOPE
      const client = opts.client ?? app
      const q = await fullFlow(env, new CookieJar(), client.client_id, {
        extra: { scope: scope.join(' '), audience: rs.client_id },
        login: { subject: opts.subject ?? 'alice' },
        consent: {
          grant_scope: scope,
          grant_access_token_audience: [rs.client_id],
          session: { access_token: { tenant: 't1', ...opts.accessClaims }, id_token: { name: 'Alice' } },
        },
      })
      const res = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '' }, basic(client))
      expect(res.statusCode, res.body).toBe(200)
      return res.json()
    }

    const exchange = (client: TestClient, form: Record<string, string>, audiences: string[] = []) => {
      const params = new URLSearchParams({ grant_type: GRANT, ...form })
      for (const a of audiences) params.append('audience', a)
      return env.public.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(client) },
        payload: params.toString(),
      })
    }

    async function ownToken(client: TestClient, scope?: string): Promise<string> {
      const res = await tokenCall(env, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic(client))
      expect(res.statusCode, res.body).toBe(200)
      return String(res.json<Body>().access_token)
    }

    const refused = async (res: Awaited<ReturnType<typeof exchange>>, error: string) => {
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json()).toMatchObject({ error })
      return String(res.json<Body>().error_description)
    }

    async function jwks() {
      return createLocalJWKSet((await env.public.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>())
    }

    async function trustIdp(subject: string, scope: string[]) {
      const res = await env.admin.inject({
        method: 'POST',
        url: '/admin/trust/grants/jwt-bearer/issuers',
        payload: { issuer: IDP, subject, scope, jwk: idpJwk, expires_at: '2099-01-01T00:00:00Z' },
      })
      expect(res.statusCode, res.body).toBe(201)
    }

    const idpJwt = (claims: Body) =>
      new SignJWT({ jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer(IDP)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(idpKey)

    it('lets a resource server trade a user token for a narrower one for a downstream audience', async () => {
      const user = await userTokens()
      const res = await exchange(rs, { subject_token: String(user.access_token), subject_token_type: AT, scope: 'orders.read' }, [DOWNSTREAM])
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['cache-control']).toBe('no-store')
      const body = res.json<Body>()
      expect(body).toMatchObject({ issued_token_type: AT, token_type: 'bearer', scope: 'orders.read' })
      expect(body).not.toHaveProperty('refresh_token')
      expect(body.access_token).toMatch(/^ory_at_/)
      expect(Number(body.expires_in)).toBeLessThanOrEqual(Number(user.expires_in))
      const info = await introspect(env, String(body.access_token))
      expect(info).toMatchObject({ active: true, sub: 'alice', client_id: rs.client_id, scope: 'orders.read', aud: [DOWNSTREAM], ext: { tenant: 't1' } })
      expect(info).not.toHaveProperty('act')
      // The subject token still works: exchanging does not consume it.
      expect((await introspect(env, String(user.access_token))).active).toBe(true)
    })

    it('takes RFC 8707 resource indicators as audiences and keeps the subject scope allowed to the client when none is asked', async () => {
      const user = await userTokens()
      const res = await exchange(rs, { subject_token: String(user.access_token), subject_token_type: AT, resource: DOWNSTREAM })
      expect(res.statusCode, res.body).toBe(200)
      // offline is the user's but not the resource server's to have.
      expect(res.json()).toMatchObject({ scope: 'openid orders.read orders.write' })
      expect(await introspect(env, String(res.json<Body>().access_token))).toMatchObject({ aud: [DOWNSTREAM] })
    })

    it('records the actor in act, nests earlier actors, and introspection shows the original subject', async () => {
      const user = await userTokens()
      const first = await exchange(
        rs,
        { subject_token: String(user.access_token), subject_token_type: AT, actor_token: await ownToken(rs), actor_token_type: AT, scope: 'orders.read' },
        [inv.client_id],
      )
      expect(first.statusCode, first.body).toBe(200)
      const delegated = String(first.json<Body>().access_token)
      expect(await introspect(env, delegated)).toMatchObject({
        active: true,
        sub: 'alice',
        client_id: rs.client_id,
        act: { sub: rs.client_id, client_id: rs.client_id },
      })
      // The downstream service received that token (it is in its audience) and exchanges it again.
      const second = await exchange(inv, { subject_token: delegated, subject_token_type: AT, actor_token: await ownToken(inv), actor_token_type: AT })
      expect(second.statusCode, second.body).toBe(200)
      expect(second.json()).toMatchObject({ scope: 'orders.read' })
      const info = await introspect(env, String(second.json<Body>().access_token))
      expect(info).toMatchObject({ sub: 'alice', client_id: inv.client_id })
      expect(info.act).toEqual({ sub: inv.client_id, client_id: inv.client_id, act: { sub: rs.client_id, client_id: rs.client_id } })
      // Without an actor the chain is kept: a delegated token cannot be laundered into a plain one.
      const plain = await exchange(inv, { subject_token: delegated, subject_token_type: AT })
      expect(plain.statusCode, plain.body).toBe(200)
      expect((await introspect(env, String(plain.json<Body>().access_token))).act).toEqual({ sub: rs.client_id, client_id: rs.client_id })
    })

    it('issues a JWT access token with a top-level act that verifies against the JWKS', async () => {
      const user = await userTokens()
      const res = await exchange(
        rs,
        { subject_token: String(user.access_token), subject_token_type: AT, actor_token: await ownToken(rs), actor_token_type: AT, requested_token_type: JWT, scope: 'orders.read' },
        [DOWNSTREAM],
      )
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json<Body>()
      expect(body).toMatchObject({ issued_token_type: JWT, token_type: 'bearer', scope: 'orders.read' })
      const issuer = env.registry.config.urls.self.issuer
      const { payload, protectedHeader } = await jwtVerify(String(body.access_token), await jwks(), { issuer, audience: DOWNSTREAM })
      expect(protectedHeader.typ).toBe('at+jwt')
      expect(payload).toMatchObject({ sub: 'alice', client_id: rs.client_id, act: { sub: rs.client_id, client_id: rs.client_id }, ext: { tenant: 't1' } })
      expect(Number(payload.exp) - Number(payload.iat)).toBe(Number(body.expires_in))
      expect(await introspect(env, String(body.access_token))).toMatchObject({ active: true, sub: 'alice', act: { sub: rs.client_id } })
    })

    it('honours may_act: only the named party may act for the subject', async () => {
      const allowed = await userTokens({ accessClaims: { may_act: { sub: rs.client_id } } })
      const ok = await exchange(rs, { subject_token: String(allowed.access_token), subject_token_type: AT, actor_token: await ownToken(rs), actor_token_type: AT })
      expect(ok.statusCode, ok.body).toBe(200)
      expect((await introspect(env, String(ok.json<Body>().access_token))).act).toMatchObject({ sub: rs.client_id })

      const other = await userTokens({ accessClaims: { may_act: { sub: 'someone-else' } } })
      const description = await refused(
        await exchange(rs, { subject_token: String(other.access_token), subject_token_type: AT, actor_token: await ownToken(rs), actor_token_type: AT }),
        'invalid_request',
      )
      expect(description).toContain('may_act')
    })

    it('refuses to widen the scope and audiences the client may not have', async () => {
      const user = await userTokens()
      const subject = { subject_token: String(user.access_token), subject_token_type: AT }
      expect(await refused(await exchange(rs, { ...subject, scope: 'orders.read orders.admin' }), 'invalid_scope')).toContain('orders.admin')
      // The user granted offline, but the resource server may not have it.
      expect(await refused(await exchange(rs, { ...subject, scope: 'offline' }), 'invalid_scope')).toContain('offline')
      await refused(await exchange(rs, subject, ['https://evil.example.com']), 'invalid_target')
      await refused(await exchange(rs, { ...subject, resource: 'https://evil.example.com/api' }), 'invalid_target')
      await refused(await exchange(rs, { ...subject, resource: 'not-a-uri' }), 'invalid_target')
    })

    it('refuses subject tokens that are garbage, revoked, refresh tokens or not presentable by the client', async () => {
      const user = await userTokens()
      await refused(await exchange(rs, { subject_token: 'garbage', subject_token_type: AT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: `ory_at_${'A'.repeat(43)}.${'B'.repeat(43)}`, subject_token_type: AT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: 'a.b.c', subject_token_type: AT }), 'invalid_request')
      // A refresh token is not an access token, whatever type is claimed.
      await refused(await exchange(app, { subject_token: String(user.refresh_token), subject_token_type: AT }), 'invalid_request')
      await refused(await exchange(app, { subject_token: String(user.refresh_token), subject_token_type: RT }), 'invalid_request')
      // A client that is neither the token's client nor in its audience cannot present it.
      expect(await refused(await exchange(inv, { subject_token: String(user.access_token), subject_token_type: AT }), 'invalid_request')).toContain('audience')

      const revoke = await env.public.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(app) },
        payload: new URLSearchParams({ token: String(user.access_token) }).toString(),
      })
      expect(revoke.statusCode).toBe(200)
      await refused(await exchange(rs, { subject_token: String(user.access_token), subject_token_type: AT }), 'invalid_request')
    })

    it('refuses unsupported types and missing or mismatched parameters', async () => {
      const user = await userTokens()
      const token = String(user.access_token)
      await refused(await exchange(rs, { subject_token_type: AT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token, subject_token_type: AT, requested_token_type: RT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token, subject_token_type: AT, actor_token: await ownToken(rs) }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token, subject_token_type: AT, actor_token_type: AT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: token, subject_token_type: AT, actor_token: 'garbage', actor_token_type: AT }), 'invalid_request')
    })

    it('refuses clients without the grant type and public clients', async () => {
      const user = await userTokens()
      const subject = { subject_token: String(user.access_token), subject_token_type: AT }
      const plain = await createClient(env, { grant_types: ['authorization_code'] })
      await refused(await exchange(plain, subject), 'unauthorized_client')
      const pub = await createClient(env, { grant_types: ['authorization_code', GRANT], token_endpoint_auth_method: 'none' })
      const res = await tokenCall(env, { grant_type: GRANT, client_id: pub.client_id, ...subject })
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json()).toMatchObject({ error: 'unauthorized_client' })
    })

    it('never outlives the subject token, and refuses an expired one', async () => {
      const shortLived = await createClient(env, { grant_types: ['authorization_code'], scope: USER_SCOPE.join(' '), audience: [rs.client_id] })
      const setLifespan = async (value: string) => {
        const res = await env.admin.inject({
          method: 'PUT',
          url: `/admin/clients/${encodeURIComponent(shortLived.client_id)}/lifespans`,
          payload: { authorization_code_grant_access_token_lifespan: value },
        })
        expect(res.statusCode, res.body).toBe(200)
      }
      await setLifespan('40s')
      const user = await userTokens({ client: shortLived })
      expect(Number(user.expires_in)).toBeLessThanOrEqual(40)
      const res = await exchange(rs, { subject_token: String(user.access_token), subject_token_type: AT, requested_token_type: JWT })
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json<Body>()
      expect(Number(body.expires_in)).toBeGreaterThan(0)
      expect(Number(body.expires_in)).toBeLessThanOrEqual(40)
      const exp = Number(decodeJwt(String(body.access_token)).exp)
      expect(exp).toBeLessThanOrEqual(Number((await introspect(env, String(user.access_token))).exp))

      await setLifespan('1s')
      const brief = await userTokens({ client: shortLived })
      clock.advance(1200)
      expect(await refused(await exchange(rs, { subject_token: String(brief.access_token), subject_token_type: AT }), 'invalid_request')).toContain('inactive')
    })

    it('revoking the consent revokes what its tokens were exchanged for', async () => {
      const user = await userTokens({ subject: 'consent-revoker' })
      const res = await exchange(rs, { subject_token: String(user.access_token), subject_token_type: AT })
      expect(res.statusCode, res.body).toBe(200)
      const exchanged = String(res.json<Body>().access_token)
      expect((await introspect(env, exchanged)).active).toBe(true)
      const del = await env.admin.inject({ method: 'DELETE', url: `/admin/oauth2/auth/sessions/consent?subject=consent-revoker&client=${app.client_id}` })
      expect(del.statusCode).toBe(204)
      expect((await introspect(env, exchanged)).active).toBe(false)
    })

    it('takes an ID token as subject token and issues ID tokens (token_type N_A) only under openid', async () => {
      const user = await userTokens()
      const issuer = env.registry.config.urls.self.issuer
      // The ID token was issued to the app; the app exchanges it for an access token.
      const fromId = await exchange(app, { subject_token: String(user.id_token), subject_token_type: IDT })
      expect(fromId.statusCode, fromId.body).toBe(200)
      expect(fromId.json()).toMatchObject({ issued_token_type: AT, token_type: 'bearer', scope: 'openid' })
      expect(await introspect(env, String(fromId.json<Body>().access_token))).toMatchObject({ active: true, sub: 'alice', client_id: app.client_id })
      // An ID token is for its audience only.
      await refused(await exchange(rs, { subject_token: String(user.id_token), subject_token_type: IDT }), 'invalid_request')
      // Not an ID token, or a forged one.
      await refused(await exchange(app, { subject_token: String(user.access_token), subject_token_type: IDT }), 'invalid_request')
      const [h, p] = String(user.id_token).split('.')
      await refused(await exchange(app, { subject_token: `${h}.${p}.${'A'.repeat(86)}`, subject_token_type: IDT }), 'invalid_request')

      // An ID token for the resource server, with the actor recorded.
      const res = await exchange(rs, {
        subject_token: String(user.access_token),
        subject_token_type: AT,
        requested_token_type: IDT,
        actor_token: await ownToken(rs),
        actor_token_type: AT,
      })
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json<Body>()
      expect(body).toMatchObject({ issued_token_type: IDT, token_type: 'N_A' })
      const { payload } = await jwtVerify(String(body.access_token), await jwks(), { issuer, audience: rs.client_id })
      expect(payload).toMatchObject({ sub: 'alice', name: 'Alice', act: { sub: rs.client_id, client_id: rs.client_id } })
      expect(Number(payload.exp) - Number(payload.iat)).toBe(Number(body.expires_in))
      expect(payload.auth_time).toBe(decodeJwt(String(user.id_token)).auth_time)

      // Without openid granted to the subject token there is no ID token to be had.
      const noOpenid = await userTokens({ scope: ['orders.read'] })
      expect(
        await refused(await exchange(rs, { subject_token: String(noOpenid.access_token), subject_token_type: AT, requested_token_type: IDT }), 'invalid_request'),
      ).toContain('openid')
    })

    it('takes JWTs from trusted issuers as subject and actor tokens (JWT profile)', async () => {
      await trustIdp('bob@example.org', ['orders.read'])
      const subjectJwt = await idpJwt({ sub: 'bob@example.org', aud: rs.client_id })
      const res = await exchange(rs, { subject_token: subjectJwt, subject_token_type: JWT, scope: 'orders.read' }, [DOWNSTREAM])
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ issued_token_type: AT, scope: 'orders.read' })
      const info = await introspect(env, String(res.json<Body>().access_token))
      expect(info).toMatchObject({ active: true, sub: 'bob@example.org', client_id: rs.client_id, aud: [DOWNSTREAM] })
      expect(Number(res.json<Body>().expires_in)).toBeLessThanOrEqual(600)

      // Beyond what the trust relationship allows.
      const wide = await exchange(rs, { subject_token: await idpJwt({ sub: 'bob@example.org', aud: rs.client_id }), subject_token_type: JWT, scope: 'orders.write' })
      await refused(wide, 'invalid_scope')
      // A subject the relationship does not cover, another audience, a foreign key.
      await refused(await exchange(rs, { subject_token: await idpJwt({ sub: 'mallory', aud: rs.client_id }), subject_token_type: JWT }), 'invalid_request')
      await refused(await exchange(rs, { subject_token: await idpJwt({ sub: 'bob@example.org', aud: 'someone-else' }), subject_token_type: JWT }), 'invalid_request')
      // A trusted JWT is not an Orthrus access token.
      await refused(await exchange(rs, { subject_token: await idpJwt({ sub: 'bob@example.org', aud: rs.client_id }), subject_token_type: AT }), 'invalid_request')

      // A trusted JWT naming the actor, for a user's Orthrus token.
      await trustIdp('svc-batch', [])
      const user = await userTokens()
      const delegated = await exchange(rs, {
        subject_token: String(user.access_token),
        subject_token_type: AT,
        actor_token: await idpJwt({ sub: 'svc-batch', aud: rs.client_id }),
        actor_token_type: JWT,
        scope: 'orders.read',
      })
      expect(delegated.statusCode, delegated.body).toBe(200)
      expect((await introspect(env, String(delegated.json<Body>().access_token))).act).toEqual({ sub: 'svc-batch', iss: IDP })
    })
  })

  describe(`token exchange with oauth2.token_hook on ${t.name}`, () => {
    let env: TestApps
    const hook = new FakeServer()

    beforeAll(async () => {
      await hook.start()
      env = await testApps(t, { ...FLOW_ENV, OAUTH2_TOKEN_HOOK: `${hook.url}/token` })
    })
    afterAll(async () => {
      await env.close()
      await hook.stop()
    })

    it('runs the hook once before issuing, without the presented tokens, and issues its claims', async () => {
      hook.reply = () => ({ status: 204 })
      const rs = await createClient(env, { grant_types: ['authorization_code', 'client_credentials', GRANT], scope: 'orders.read' })
      const app = await createClient(env, { scope: 'openid orders.read', audience: [rs.client_id] })
      const q = await fullFlow(env, new CookieJar(), app.client_id, {
        extra: { scope: 'openid orders.read', audience: rs.client_id },
        login: { subject: 'erin' },
        consent: { grant_scope: ['openid', 'orders.read'], grant_access_token_audience: [rs.client_id] },
      })
      const user = await tokenCall(env, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code: q.get('code') ?? '' }, basic(app))
      expect(user.statusCode, user.body).toBe(200)
      const actor = await tokenCall(env, { grant_type: 'client_credentials' }, basic(rs))
      expect(actor.statusCode, actor.body).toBe(200)
      const subjectToken = String(user.json<Body>().access_token)
      const actorToken = String(actor.json<Body>().access_token)

      hook.reset()
      hook.reply = () => ({ status: 200, body: { session: { access_token: { hooked: 'yes' } } } })
      const form = { grant_type: GRANT, subject_token: subjectToken, subject_token_type: AT, actor_token: actorToken, actor_token_type: AT }
      const res = await tokenCall(env, form, basic(rs))
      expect(res.statusCode, res.body).toBe(200)
      expect(hook.requests).toHaveLength(1)
      const sent = hook.requests[0]?.body ?? ''
      expect(sent).toContain('erin')
      expect(sent).toContain(GRANT)
      // The hook never sees the tokens that were presented.
      expect(sent).not.toContain(subjectToken)
      expect(sent).not.toContain(actorToken)
      expect(await introspect(env, String(res.json<Body>().access_token))).toMatchObject({
        active: true,
        sub: 'erin',
        ext: { hooked: 'yes' },
        act: { sub: rs.client_id },
      })

      hook.reply = () => ({ status: 403 })
      const denied = await tokenCall(env, form, basic(rs))
      expect(denied.statusCode).toBe(403)
      expect(denied.json()).toMatchObject({ error: 'access_denied' })
    })
  })
}
