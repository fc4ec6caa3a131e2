// The demo login & consent app over real sockets, driven by a fetch "browser" with a cookie jar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devUiPages } from '../../src/dev-ui/mount.js'
import { createLogger } from '../../src/logging.js'
import { createRegistry } from '../../src/registry.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { testConfig } from '../support/app.js'
import { CookieJar } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { hiddenField, visit as browse } from '../support/fetch-browser.js'
import { REDIRECT_URI, STATE } from '../support/flow.js'

const sqlite = testDatabases()[0]
if (sqlite === undefined) throw new Error('no SQLite test database')

async function serve(env: Record<string, string>, dev: boolean): Promise<RunningServer> {
  const { dsn } = await sqlite!.create()
  const config = testConfig(dsn, env, { dev })
  const registry = await createRegistry(config, { logger: createLogger(config.log), migrate: true })
  return startServer(registry, 'all')
}

describe('demo login & consent app (serve --dev)', () => {
  let server: RunningServer
  let publicUrl: string

  beforeAll(async () => {
    server = await serve({}, true)
    publicUrl = server.urls.public ?? ''
  })
  afterAll(() => server.close())

  const visit = (jar: CookieJar, url: string, form?: Record<string, string | string[]>) => browse(jar, url, form, publicUrl)

  async function newClient(): Promise<string> {
    const res = await fetch(`${server.urls.admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid offline profile', client_name: 'Demo <App>' }),
    })
    return ((await res.json()) as { client_id: string }).client_id
  }

  const start = (clientId: string) =>
    `/oauth2/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid offline profile', redirect_uri: REDIRECT_URI, state: STATE })}`

  /** Starts a flow and opens the demo login page. */
  async function loginPage(jar: CookieJar, clientId: string) {
    const first = await visit(jar, start(clientId))
    expect(first.status).toBe(302)
    expect(new URL(first.location).pathname).toBe('/oauth2/fallbacks/login')
    const page = await visit(jar, first.location)
    expect(page.status, page.text).toBe(200)
    return { url: first.location, page, form: { challenge: hiddenField(page.text, 'challenge'), csrf_token: hiddenField(page.text, 'csrf_token') } }
  }

  it('serves login and consent pages under a strict CSP and completes the flow with the granted scopes', async () => {
    const clientId = await newClient()
    const jar = new CookieJar()
    const { url, page, form } = await loginPage(jar, clientId)
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(page.text).not.toContain('<script')
    expect(page.text).toContain('Demo login &amp; consent app')
    expect(page.text).toContain('Demo &lt;App&gt;')

    // A wrong password shows the page again, with the username escaped.
    const wrong = await visit(jar, url, { ...form, action: 'accept', username: '<b>x</b>', password: 'nope' })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('value="&lt;b&gt;x&lt;/b&gt;"')
    expect(wrong.text).not.toContain('<b>x</b>')

    const loggedIn = await visit(jar, url, { ...form, action: 'accept', username: 'alice', password: 'demo', remember: '1' })
    expect(loggedIn.status).toBe(303)
    const toConsent = await visit(jar, loggedIn.location)
    expect(new URL(toConsent.location).pathname).toBe('/oauth2/fallbacks/consent')
    const consent = await visit(jar, toConsent.location)
    expect(consent.status).toBe(200)
    expect(consent.text).toContain('alice')
    for (const scope of ['openid', 'offline', 'profile']) expect(consent.text).toContain(`name="grant_scope" value="${scope}" checked`)

    const cForm = { challenge: hiddenField(consent.text, 'challenge'), csrf_token: hiddenField(consent.text, 'csrf_token') }
    // Only requested scopes can be granted, whatever the form says.
    const allowed = await visit(jar, toConsent.location, { ...cForm, action: 'accept', grant_scope: ['openid', 'admin'], remember: '1' })
    expect(allowed.status).toBe(303)
    const back = await visit(jar, allowed.location)
    expect(back.status).toBe(303)
    const callback = new URL(back.location)
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('code')).toBeTruthy()
    expect(callback.searchParams.get('state')).toBe(STATE)

    // Remembered: the next login request has skip=true and the demo app accepts it at once.
    const again = await visit(jar, start(clientId))
    const skipped = await visit(jar, again.location)
    expect(skipped.status).toBe(302)
    expect(skipped.location).toContain('login_verifier=')
  })

  it('refuses form posts without the CSRF cookie or with a field from another flow', async () => {
    const clientId = await newClient()
    const jar = new CookieJar()
    const { url, form } = await loginPage(jar, clientId)
    const good = { ...form, action: 'accept', username: 'alice', password: 'demo' }

    const noCookie = await visit(new CookieJar(), url, good)
    expect(noCookie.status).toBe(403)
    expect(noCookie.text).toContain('CSRF')

    const other = await loginPage(jar, clientId)
    const swapped = await visit(jar, url, { ...good, csrf_token: other.form.csrf_token })
    expect(swapped.status).toBe(403)

    const missing = await visit(jar, url, { ...good, csrf_token: '' })
    expect(missing.status).toBe(403)
  })

  it('sends a denied login back to the client as access_denied', async () => {
    const jar = new CookieJar()
    const { url, form } = await loginPage(jar, await newClient())
    const denied = await visit(jar, url, { ...form, action: 'deny' })
    expect(denied.status).toBe(303)
    const back = await visit(jar, denied.location)
    expect(new URL(back.location).searchParams.get('error')).toBe('access_denied')
  })

  it('asks before logging out, keeps the session on no and ends it on yes', async () => {
    const clientId = await newClient()
    const jar = new CookieJar()
    const { url, form } = await loginPage(jar, clientId)
    const loggedIn = await visit(jar, url, { ...form, action: 'accept', username: 'alice', password: 'demo', remember: '1' })
    const toConsent = await visit(jar, loggedIn.location)
    const consent = await visit(jar, toConsent.location)
    const cForm = { challenge: hiddenField(consent.text, 'challenge'), csrf_token: hiddenField(consent.text, 'csrf_token') }
    await visit(jar, (await visit(jar, toConsent.location, { ...cForm, action: 'accept', grant_scope: 'openid' })).location)

    const confirm = async () => {
      const started = await visit(jar, '/oauth2/sessions/logout')
      expect(new URL(started.location).pathname).toBe('/oauth2/fallbacks/logout')
      const page = await visit(jar, started.location)
      expect(page.status, page.text).toBe(200)
      expect(page.text).toContain('alice')
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
      return { url: started.location, form: { challenge: hiddenField(page.text, 'challenge'), csrf_token: hiddenField(page.text, 'csrf_token') } }
    }
    const first = await confirm()
    const stayed = await visit(jar, first.url, { ...first.form, action: 'deny' })
    expect(stayed.text).toContain('still signed in')
    expect((await visit(jar, (await visit(jar, start(clientId))).location)).status).toBe(302)

    const second = await confirm()
    const yes = await visit(jar, second.url, { ...second.form, action: 'accept' })
    expect(yes.status).toBe(303)
    const done = await visit(jar, yes.location)
    expect(new URL(done.location).pathname).toBe('/oauth2/fallbacks/logout/callback')
    // Logged out: the demo login page asks for credentials again.
    expect((await visit(jar, (await visit(jar, start(clientId))).location)).status).toBe(200)
  })

  it('shows an error page for a missing or unknown challenge', async () => {
    const jar = new CookieJar()
    expect((await visit(jar, '/oauth2/fallbacks/login')).status).toBe(400)
    const unknown = await visit(jar, '/oauth2/fallbacks/consent?consent_challenge=%3Cnot-a-challenge%3E')
    expect(unknown.status).toBeGreaterThanOrEqual(400)
    expect(unknown.text).not.toContain('<not-a-challenge>')
  })
})

describe('demo app stays off', () => {
  it('without --dev: the fallback pages say no login app is configured', async () => {
    const server = await serve({ URLS_SELF_ISSUER: 'https://auth.example.com/' }, false)
    try {
      const res = await fetch(`${server.urls.public}/oauth2/fallbacks/login?login_challenge=x`)
      const text = await res.text()
      expect(text).toContain('urls.login')
      expect(text).not.toContain('Demo login')
      expect(await (await fetch(`${server.urls.public}/oauth2/fallbacks/consent`)).text()).toContain('urls.consent')
    } finally {
      await server.close()
    }
  })

  it('for the pages whose URL is configured, and entirely outside dev mode', () => {
    const base = { URLS_SELF_ISSUER: 'http://127.0.0.1:4444/' }
    expect([...devUiPages(testConfig('memory', base))].sort()).toEqual(['consent', 'device', 'device_done', 'login', 'logout'])
    expect([...devUiPages(testConfig('memory', { ...base, URLS_LOGIN: 'http://127.0.0.1:3000/login' }))].sort()).toEqual(['consent', 'device', 'device_done', 'logout'])
    expect([...devUiPages(testConfig('memory', { ...base, URLS_SELF_ISSUER: 'https://a.example/' }, { dev: false }))]).toEqual([])
  })
})
