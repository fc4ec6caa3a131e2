// examples/login-consent/server.mjs, the copyable app, completes a flow against a real server.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging.js'
import { DEVICE_CODE_GRANT_TYPE } from '../../src/oauth2/device-code.js'
import { createRegistry } from '../../src/registry.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { testConfig } from '../support/app.js'
import { CookieJar } from '../support/browser.js'
import { testClock } from '../support/clock.js'
import { cleanEnv } from '../support/cli.js'
import { hiddenField, visit } from '../support/fetch-browser.js'
import { REDIRECT_URI, STATE } from '../support/flow.js'
import { freePort } from '../support/socket-server.js'

const EXAMPLE = fileURLToPath(new URL('../../examples/login-consent/server.mjs', import.meta.url))

describe('examples/login-consent', () => {
  let server: RunningServer
  let app: ChildProcess
  let appUrl: string
  const clock = testClock()

  beforeAll(async () => {
    const port = await freePort()
    appUrl = `http://127.0.0.1:${port}`
    const config = testConfig('memory', {
      URLS_LOGIN: `${appUrl}/login`,
      URLS_CONSENT: `${appUrl}/consent`,
      URLS_DEVICE_VERIFICATION: `${appUrl}/device`,
      URLS_DEVICE_SUCCESS: `${appUrl}/device/done`,
      OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '1s',
    })
    server = await startServer(await createRegistry(config, { logger: createLogger(config.log), migrate: true, now: clock.now }), 'all')
    app = spawn(process.execPath, [EXAMPLE], { env: cleanEnv({ ADMIN_URL: server.urls.admin ?? '', PORT: String(port) }) })
    await new Promise<void>((resolve, reject) => {
      app.stdout?.once('data', () => resolve())
      app.once('exit', (code) => reject(new Error(`example exited with ${code}`)))
    })
  })
  afterAll(async () => {
    app?.kill()
    await server?.close()
  })

  it('logs in, consents to the checked scopes and sends the browser back with a code', async () => {
    const admin = server.urls.admin ?? ''
    const publicUrl = server.urls.public ?? ''
    const created = await fetch(`${admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid offline' }),
    })
    const { client_id: clientId } = (await created.json()) as { client_id: string }
    const jar = new CookieJar()
    const start = await visit(jar, `/oauth2/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid offline', redirect_uri: REDIRECT_URI, state: STATE })}`, undefined, publicUrl)
    expect(start.location.startsWith(`${appUrl}/login?`)).toBe(true)

    const login = await visit(jar, start.location)
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'")
    const form = { challenge: hiddenField(login.text, 'challenge'), csrf_token: hiddenField(login.text, 'csrf_token') }
    expect((await visit(new CookieJar(), `${appUrl}/login`, { ...form, username: 'a', password: 'demo', action: 'accept' })).status).toBe(403)
    const wrong = await visit(jar, `${appUrl}/login`, { ...form, username: '<i>', password: 'x', action: 'accept' })
    expect(wrong.text).toContain('&lt;i&gt;')

    const accepted = await visit(jar, `${appUrl}/login`, { ...form, username: 'carol', password: 'demo', action: 'accept' })
    expect(accepted.status).toBe(303)
    const toConsent = await visit(jar, accepted.location, undefined, publicUrl)
    const consent = await visit(jar, toConsent.location)
    expect(consent.text).toContain('carol')
    const cForm = { challenge: hiddenField(consent.text, 'challenge'), csrf_token: hiddenField(consent.text, 'csrf_token') }
    const allowed = await visit(jar, `${appUrl}/consent`, { ...cForm, grant_scope: ['openid'], action: 'accept' })
    expect(allowed.status).toBe(303)
    const back = await visit(jar, allowed.location, undefined, publicUrl)
    expect(back.status).toBe(303)
    expect(new URL(back.location).searchParams.get('code')).toBeTruthy()
  })

  it('walks the device flow through its device, login and consent pages; the device then gets tokens', async () => {
    const admin = server.urls.admin ?? ''
    const publicUrl = server.urls.public ?? ''
    const created = await fetch(`${admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Kitchen <TV>', grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'], scope: 'openid offline' }),
    })
    expect(created.status).toBe(201)
    const client = (await created.json()) as { client_id: string; client_secret: string }
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: new URLSearchParams(body).toString(),
    })
    const started = await fetch(`${publicUrl}/oauth2/device/auth`, form({ scope: 'openid offline' }))
    expect(started.status).toBe(200)
    const auth = (await started.json()) as { device_code: string; user_code: string; verification_uri_complete: string; interval: number }
    expect(auth.interval).toBe(1)
    const poll = async () => {
      const res = await fetch(`${publicUrl}/oauth2/token`, form({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: auth.device_code }))
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
    expect(await poll()).toMatchObject({ status: 400, body: { error: 'authorization_pending' } })

    // The person opens the complete verification URI: the app's device page, code prefilled.
    const jar = new CookieJar()
    const verify = await visit(jar, auth.verification_uri_complete, undefined, publicUrl)
    expect(verify.status).toBe(302)
    expect(verify.location.startsWith(`${appUrl}/device?`), verify.location).toBe(true)
    const devicePage = await visit(jar, verify.location)
    expect(devicePage.status).toBe(200)
    expect(devicePage.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(devicePage.text).toContain(`name="user_code" value="${auth.user_code}"`)
    const dForm = { challenge: hiddenField(devicePage.text, 'challenge'), csrf_token: hiddenField(devicePage.text, 'csrf_token') }
    expect(dForm.challenge).toBe(new URL(verify.location).searchParams.get('device_challenge'))

    // No CSRF cookie, or a field for another form: refused before the admin API is asked.
    expect((await visit(new CookieJar(), `${appUrl}/device`, { ...dForm, user_code: auth.user_code, action: 'accept' })).status).toBe(403)
    expect((await visit(jar, `${appUrl}/device`, { ...dForm, csrf_token: 'forged', user_code: auth.user_code, action: 'accept' })).status).toBe(403)

    // A wrong code shows the form again, escaped, with the server's reason.
    const wrong = await visit(jar, `${appUrl}/device`, { ...dForm, user_code: '<b>BBBB', action: 'accept' })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('4 attempt(s) left')
    expect(wrong.text).toContain('value="&lt;b&gt;BBBB"')
    expect(wrong.text).not.toContain('<b>')
    expect(hiddenField(wrong.text, 'challenge')).toBe(dForm.challenge)

    // The right code, typed the lazy way: on into the login and consent pages.
    const accepted = await visit(jar, `${appUrl}/device`, { ...dForm, user_code: auth.user_code.replace('-', '').toLowerCase(), action: 'accept' })
    expect(accepted.status).toBe(303)
    expect(accepted.location).toContain('/oauth2/device/verify?device_verifier=')
    const toLogin = await visit(jar, accepted.location, undefined, publicUrl)
    expect(toLogin.location.startsWith(`${appUrl}/login?`), toLogin.location).toBe(true)
    const login = await visit(jar, toLogin.location)
    expect(login.text).toContain('Kitchen &lt;TV&gt;')
    const lForm = { challenge: hiddenField(login.text, 'challenge'), csrf_token: hiddenField(login.text, 'csrf_token') }
    const loggedIn = await visit(jar, `${appUrl}/login`, { ...lForm, username: 'dave', password: 'demo', action: 'accept' })
    expect(loggedIn.status).toBe(303)
    const toConsent = await visit(jar, loggedIn.location, undefined, publicUrl)
    expect(toConsent.location.startsWith(`${appUrl}/consent?`), toConsent.location).toBe(true)
    const consent = await visit(jar, toConsent.location)
    expect(consent.text).toContain('dave')
    const cForm = { challenge: hiddenField(consent.text, 'challenge'), csrf_token: hiddenField(consent.text, 'csrf_token') }
    const allowed = await visit(jar, `${appUrl}/consent`, { ...cForm, grant_scope: ['openid', 'offline'], action: 'accept' })
    expect(allowed.status).toBe(303)
    const done = await visit(jar, allowed.location, undefined, publicUrl)
    expect(done.location).toBe(`${appUrl}/device/done`)
    const donePage = await visit(jar, done.location)
    expect(donePage.status).toBe(200)
    expect(donePage.text).toContain('Your device is connected')

    // The device's next poll (not faster than the interval) gets the tokens.
    clock.advance(1100)
    const tokens = await poll()
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
    expect(tokens.body).toMatchObject({ token_type: 'bearer', scope: 'openid offline' })
    expect(String(tokens.body['access_token'])).toMatch(/^ory_at_/)
    expect(String(tokens.body['refresh_token'])).toMatch(/^ory_rt_/)
    expect(String(tokens.body['id_token'])).toMatch(/^eyJ/)
    const info = await fetch(`${admin}/admin/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: String(tokens.body['access_token']) }).toString(),
    })
    expect(await info.json()).toMatchObject({ active: true, sub: 'dave', client_id: client.client_id })
  })

  it('the device page needs a challenge and the success page is plain', async () => {
    expect((await visit(new CookieJar(), `${appUrl}/device`)).status).toBe(400)
    const done = await visit(new CookieJar(), `${appUrl}/device/done`)
    expect(done.headers.get('referrer-policy')).toBe('no-referrer')
  })
})
