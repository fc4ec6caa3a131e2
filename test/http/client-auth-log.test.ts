// invalid_client tells the client nothing about why; the operator's log says it, at info, without
// the secret or the assertion.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_BEARER_ASSERTION } from '../../src/oauth2/client-assertion.js'
import { appsOn, type TestApps } from '../support/app.js'
import { basic, tokenRequest } from '../observability/helpers.js'

interface Line {
  level: number
  msg: string
  client_id?: string
  auth_method?: string
  reason?: string
}

describe('invalid_client reasons in the server log', () => {
  let apps: TestApps
  let text = ''
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString()
      done()
    },
  })
  const failures = (): Line[] =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.msg === 'client authentication failed')
  const SECRET = 'the-real-client-secret-1234'
  const WRONG = 'a-wrong-client-secret-5678'
  let privateKey: CryptoKey

  beforeAll(async () => {
    apps = await appsOn('memory', { LOG_LEVEL: 'info' }, { logTo: sink })
    const keys = await generateKeyPair('ES256')
    privateKey = keys.privateKey
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    for (const payload of [
      { client_id: 'cc', client_secret: SECRET, grant_types: ['client_credentials'] },
      { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, grant_types: ['client_credentials'] },
    ]) {
      const res = await apps.admin.inject({ method: 'POST', url: '/admin/clients', payload })
      expect(res.statusCode, res.body).toBe(201)
    }
  })
  afterAll(() => apps.close())

  const expectLogged = async (send: () => Promise<{ statusCode: number }>, expected: Partial<Line>) => {
    text = ''
    expect((await send()).statusCode).toBe(401)
    const [line, ...more] = failures()
    expect(more).toEqual([])
    expect(line).toMatchObject({ level: 30, ...expected })
  }

  it('names an unknown client, a wrong secret and a wrong method', async () => {
    const cc = { grant_type: 'client_credentials' }
    await expectLogged(() => tokenRequest(apps, cc, basic('nobody', SECRET)), {
      client_id: 'nobody',
      auth_method: 'client_secret_basic',
      reason: 'The requested OAuth 2.0 Client does not exist.',
    })
    await expectLogged(() => tokenRequest(apps, cc, basic('cc', WRONG)), {
      client_id: 'cc',
      auth_method: 'client_secret_basic',
      reason: 'The presented client secret does not match.',
    })
    await expectLogged(() => tokenRequest(apps, { ...cc, client_id: 'cc', client_secret: SECRET }), {
      client_id: 'cc',
      auth_method: 'client_secret_post',
      reason: expect.stringContaining("supports client authentication method 'client_secret_basic', but method 'client_secret_post' was requested"),
    })
  })

  it('names an expired assertion', async () => {
    const now = Math.floor(Date.now() / 1000)
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('jwt')
      .setSubject('jwt')
      .setAudience(apps.registry.config.urls.self.issuer)
      .setIssuedAt(now - 600)
      .setExpirationTime(now - 300)
      .sign(privateKey)
    const form = { grant_type: 'client_credentials', client_id: 'jwt', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion }
    await expectLogged(() => tokenRequest(apps, form), {
      client_id: 'jwt',
      auth_method: 'private_key_jwt',
      reason: "The 'client_assertion' has expired.",
    })
    expect(text).not.toContain(assertion)
  })

  it('never logs a secret', async () => {
    text = ''
    await tokenRequest(apps, { grant_type: 'client_credentials' }, basic('cc', WRONG))
    await tokenRequest(apps, { grant_type: 'client_credentials', client_id: 'cc', client_secret: SECRET })
    expect(failures()).toHaveLength(2)
    expect(text).not.toContain(WRONG)
    expect(text).not.toContain(SECRET)
  })
})
