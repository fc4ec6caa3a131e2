// examples/login-consent/server.mjs, the copyable app, completes a flow against a real server.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logging.js'
import { createRegistry } from '../../src/registry.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { testConfig } from '../support/app.js'
import { CookieJar } from '../support/browser.js'
import { cleanEnv } from '../support/cli.js'
import { hiddenField, visit } from '../support/fetch-browser.js'
import { REDIRECT_URI, STATE } from '../support/flow.js'
import { freePort } from '../support/socket-server.js'

const EXAMPLE = fileURLToPath(new URL('../../examples/login-consent/server.mjs', import.meta.url))

describe('examples/login-consent', () => {
  let server: RunningServer
  let app: ChildProcess
  let appUrl: string

  beforeAll(async () => {
    const port = await freePort()
    appUrl = `http://127.0.0.1:${port}`
    const config = testConfig('memory', { URLS_LOGIN: `${appUrl}/login`, URLS_CONSENT: `${appUrl}/consent` })
    server = await startServer(await createRegistry(config, { logger: createLogger(config.log), migrate: true }), 'all')
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
})
