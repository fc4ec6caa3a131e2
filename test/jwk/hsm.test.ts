// hsm.*: the signing keys of the well-known sets generated and held in a PKCS#11 token (SoftHSM2,
// initialised here in a throw-away SOFTHSM2_CONF directory). ID tokens and JWT access tokens are
// signed in the token and verify against the public JWKS (openid-client with its non-repudiation
// checks, jose for the access token); the admin API shows public halves only; the keys are found
// again by a fresh server; a new key rotates in through the token; a wrong PIN stops start-up.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging.js'
import { createRegistry, StartupError } from '../../src/registry.js'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { visit } from '../support/fetch-browser.js'
import { CONSENT_URL, FLOW_ENV, LOGIN_URL, REDIRECT_URI } from '../support/flow.js'
import { testConfig } from '../support/app.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

const LIBRARY = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find(existsSync)
const TOKEN = 'orthrus-test'
const PIN = '1234'
if (!LIBRARY) console.warn('SoftHSM2 is not installed (apt-get install -y softhsm2): the HSM tests are skipped')

const [sqlite] = testDatabases()

describe.skipIf(!LIBRARY)('signing keys in a PKCS#11 token (SoftHSM2)', () => {
  let dir: string
  const hsmEnv = (extra: Record<string, string> = {}) => ({
    ...FLOW_ENV,
    HSM_ENABLED: 'true',
    HSM_LIBRARY: LIBRARY ?? '',
    HSM_PIN: PIN,
    HSM_TOKEN_LABEL: TOKEN,
    HSM_KEY_SET_PREFIX: 'app1.',
    STRATEGIES_ACCESS_TOKEN: 'jwt',
    ...extra,
  })

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-softhsm-'))
    const conf = join(dir, 'softhsm2.conf')
    writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
    execFileSync('mkdir', ['-p', join(dir, 'tokens')])
    // SoftHSM reads its configuration when the library is initialised, in this process.
    process.env.SOFTHSM2_CONF = conf
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '5678'], { env: process.env, stdio: 'ignore' })
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  let running: SocketServer | undefined
  afterAll(async () => {
    await running?.close()
  })

  let firstIdKid = ''

  it('signs ID tokens and JWT access tokens in the token; they verify against the public JWKS', async () => {
    running = await startSocketServer(sqlite!, hsmEnv(), { realIssuer: true })
    const { api, issuer } = running
    const { data: client } = await api.createOAuth2Client({
      oAuth2Client: {
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid',
        token_endpoint_auth_method: 'client_secret_basic',
      },
    })
    const config = await oidc.discovery(new URL(issuer), client.client_id ?? '', undefined, oidc.ClientSecretBasic(client.client_secret ?? ''), {
      execute: [oidc.allowInsecureRequests],
    })
    // openid-client then verifies the ID token's signature with the issuer's jwks_uri.
    oidc.enableNonRepudiationChecks(config)
    const verifier = oidc.randomPKCECodeVerifier()
    const nonce = oidc.randomNonce()
    const state = oidc.randomState()
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    })
    const jar = new CookieJar()
    const toLogin = await visit(jar, url.href)
    expect(toLogin.location.startsWith(LOGIN_URL), toLogin.location).toBe(true)
    const loginChallenge = new URL(toLogin.location).searchParams.get('login_challenge') ?? ''
    const { data: login } = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'hsm-user' } })
    const toConsent = await visit(jar, login.redirect_to)
    expect(toConsent.location.startsWith(CONSENT_URL)).toBe(true)
    const consentChallenge = new URL(toConsent.location).searchParams.get('consent_challenge') ?? ''
    const { data: granted } = await api.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest: { grant_scope: ['openid'] } })
    const callback = await visit(jar, granted.redirect_to)
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.location), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    })
    expect(tokens.claims()).toMatchObject({ iss: issuer, sub: 'hsm-user', nonce })
    const idHeader = decodeProtectedHeader(tokens.id_token ?? '')
    expect(idHeader.alg).toBe('RS256')
    firstIdKid = String(idHeader.kid)

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''))
    const access = await jwtVerify(tokens.access_token, jwks, { issuer, typ: 'at+jwt' })
    expect(access.payload).toMatchObject({ sub: 'hsm-user', client_id: client.client_id })
    expect(access.protectedHeader.kid).not.toBe(firstIdKid)
  })

  it('shows only public halves on the admin API and keeps nothing of them in the database', async () => {
    const { adminUrl, registry } = running!
    for (const set of ['hydra.openid.id-token', 'hydra.jwt.access-token']) {
      const body = (await (await fetch(`${adminUrl}/admin/keys/${set}`)).json()) as { keys: Array<Record<string, unknown>> }
      expect(body.keys).toHaveLength(1)
      expect(body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(body.keys[0]).not.toHaveProperty(member)
      // RSA-4096, as Hydra's HSM key manager generates.
      expect(Buffer.from(String(body.keys[0]?.n), 'base64url')).toHaveLength(512)
    }
    const rows = await registry.db.kysely.selectFrom('hydra_jwk').select('sid').execute()
    expect(rows).toEqual([])
  })

  it('rotates through the token: a created key signs, the previous one stays published', async () => {
    const { adminUrl, publicUrl } = running!
    const created = await fetch(`${adminUrl}/admin/keys/hydra.openid.id-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ alg: 'ES256', use: 'sig', kid: 'hsm-es256' }),
    })
    expect(created.status).toBe(201)
    const body = (await created.json()) as { keys: Array<Record<string, unknown>> }
    expect(body.keys[0]).toMatchObject({ kid: 'hsm-es256', kty: 'EC', crv: 'P-256', alg: 'ES256' })
    expect(body.keys[0]).not.toHaveProperty('d')
    running!.registry.keys.invalidate()
    const token = await running!.registry.keyRing.sign('hydra.openid.id-token', { sub: 'x' })
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: 'hsm-es256' })
    const published = (await (await fetch(`${publicUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(['hsm-es256', firstIdKid]))
    // The signature JWS wants (r || s), verified by a party that only has the public key.
    await expect(jwtVerify(token, createRemoteJWKSet(new URL(`${publicUrl}/.well-known/jwks.json`)))).resolves.toBeDefined()
    // Keys the token cannot hold are refused, and a taken kid is a conflict.
    const refuse = (payload: unknown) =>
      fetch(`${adminUrl}/admin/keys/hydra.openid.id-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
    expect((await refuse({ alg: 'HS256', use: 'sig' })).status).toBe(400)
    expect((await refuse({ alg: 'ES256', use: 'sig', kid: 'hsm-es256' })).status).toBe(409)
  })

  it('finds the keys again after a restart, even on a fresh database', async () => {
    await running?.close()
    running = await startSocketServer(sqlite!, hsmEnv(), { realIssuer: true })
    const token = await running.registry.keyRing.sign('hydra.openid.id-token', { sub: 'again' })
    expect(decodeProtectedHeader(token).kid).toBe('hsm-es256')
    const ids = (await running.registry.keys.getSet('hydra.openid.id-token')).map((k) => k.kid)
    expect(ids).toEqual(['hsm-es256', firstIdKid])
    // Deleting through the admin API deletes in the token.
    const deleted = await fetch(`${running.adminUrl}/admin/keys/hydra.openid.id-token/${firstIdKid}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect((await running.registry.keys.getSet('hydra.openid.id-token')).map((k) => k.kid)).toEqual(['hsm-es256'])
  })

  it('stops start-up with one line when the PIN is wrong', async () => {
    // Alone in the process: PKCS#11 keeps one login per application and token.
    await running?.close()
    running = undefined
    const config = testConfig('memory', hsmEnv({ HSM_PIN: '9999' }))
    const attempt = createRegistry(config, { logger: createLogger(config.log), migrate: true })
    await expect(attempt).rejects.toBeInstanceOf(StartupError)
    await expect(attempt).rejects.toThrow(/^hsm\.pin is wrong: the token "orthrus-test" refused the login \(CKR_PIN_INCORRECT\)$/)
    const unknown = testConfig('memory', hsmEnv({ HSM_TOKEN_LABEL: 'nope' }))
    await expect(createRegistry(unknown, { logger: createLogger(unknown.log), migrate: true })).rejects.toThrow(/^hsm\.token_label "nope": no token with this label/)
  })
})
