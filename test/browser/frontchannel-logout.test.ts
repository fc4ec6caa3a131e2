// RP-Initiated Logout 1.0 with Front-Channel and Back-Channel Logout 1.0 in a real browser
// (headless Chromium) against `orthrus serve all --dev` and its demo login/consent/logout pages.
// One 127.0.0.1 HTTP server in this test plays the relying party: its redirect_uri, its
// frontchannel_logout_uri (which the browser must load in an iframe), its backchannel_logout_uri
// (which Orthrus POSTs to) and its post_logout_redirect_uri.
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'
import type { ServerProcess } from '../support/cli.js'
import { startLocalServer, type LocalServer } from '../support/fake-http.js'

const EVENT = 'http://schemas.openid.net/event/backchannel-logout'
warnIfNoChromium('test/browser/frontchannel-logout.test.ts')

interface Hit {
  method: string
  url: URL
  userAgent: string
  contentType: string
  body: string
}

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const hit = find()
    if (hit !== undefined) return hit
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.skipIf(!hasChromium)('front- and back-channel logout in Chromium', () => {
  let env: DevServer
  let server: ServerProcess
  let browser: Browser
  let rp: LocalServer
  let rpBase: string
  let issuer: string
  const hits: Hit[] = []

  beforeAll(async () => {
    rp = await startLocalServer((req, body, res) => {
      hits.push({
        method: req.method ?? '',
        url: new URL(req.url ?? '/', rpBase),
        userAgent: req.headers['user-agent'] ?? '',
        contentType: req.headers['content-type'] ?? '',
        body,
      })
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>rp</title><p>rp ${req.url ?? ''}</p>`)
    })
    rpBase = rp.url

    env = await startDevServerAndBrowser('orthrus-browser-logout-')
    server = env.server
    browser = env.browser
    issuer = env.issuer
  }, 60_000)

  afterAll(async () => {
    await env?.close()
    await rp?.close()
  })

  it('logs out through the demo page: front-channel iframe, back-channel token, post-logout redirect, login again', async () => {
    const redirectUri = `${rpBase}/callback`
    const postLogout = `${rpBase}/logged-out`
    const created = await fetch(`${server.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline',
        post_logout_redirect_uris: [postLogout],
        frontchannel_logout_uri: `${rpBase}/front-channel`,
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: `${rpBase}/back-channel`,
        backchannel_logout_session_required: true,
      }),
    })
    const client = (await created.json()) as { client_id: string; client_secret: string }
    expect(created.status, JSON.stringify(client)).toBe(201)

    const context = await browser.newContext()
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text())
    })
    page.on('pageerror', (e) => errors.push(e.message))
    const authUrl = (state: string) =>
      `${server.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid offline', redirect_uri: redirectUri, state })}`

    // Log in, remembered, and consent.
    await page.goto(authUrl('login-state-1234567890'))
    expect(new URL(page.url()).pathname).toBe('/oauth2/fallbacks/login')
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'demo')
    await page.check('input[name=remember]')
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
    await page.click('button[value=accept]')
    await page.waitForURL(`${redirectUri}**`)
    const code = new URL(page.url()).searchParams.get('code') ?? ''
    expect(code).not.toBe('')

    // The ID token for id_token_hint, from the code exchange.
    const token = await fetch(`${server.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
    })
    const tokens = (await token.json()) as { id_token: string }
    expect(token.status, JSON.stringify(tokens)).toBe(200)
    const sid = decodeJwt(tokens.id_token).sid as string
    expect(sid).toBeTruthy()

    // RP-initiated logout, confirmed on the demo page.
    const logoutUrl = `${server.publicUrl}/oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogout, state: 'logout-state-123' })}`
    await page.goto(logoutUrl)
    expect(new URL(page.url()).pathname).toBe('/oauth2/fallbacks/logout')
    await expect(page.textContent('body')).resolves.toContain('alice')
    const frontChannelPages: Array<Record<string, string>> = []
    page.on('response', (r) => {
      if (r.url().includes('logout_verifier=')) frontChannelPages.push(r.headers())
    })
    await page.click('button[value=accept]')
    // The front-channel page waits a moment for its iframes, then a meta refresh moves on.
    await page.waitForURL(`${postLogout}**`, { timeout: 15_000 })
    const end = new URL(page.url())
    expect(end.searchParams.get('state')).toBe('logout-state-123')

    // The browser loaded the front-channel URI with iss and sid, inside the logout page's iframe.
    const front = hits.filter((h) => h.url.pathname === '/front-channel')
    expect(front).toHaveLength(1)
    const fc = front[0] as Hit
    expect(fc.method).toBe('GET')
    expect(fc.userAgent).toMatch(/Chrome/)
    expect(fc.url.searchParams.get('iss')).toBe(issuer)
    expect(fc.url.searchParams.get('sid')).toBe(sid)
    expect(frontChannelPages).toHaveLength(1)
    expect(frontChannelPages[0]?.['content-security-policy']).toContain(`frame-src ${rpBase}`)

    // Orthrus (not the browser) POSTed a Logout Token that verifies against the public JWKS.
    const back = await waitFor(() => hits.find((h) => h.url.pathname === '/back-channel'), 'the back-channel logout')
    expect(back.method).toBe('POST')
    expect(back.userAgent).not.toMatch(/Chrome/)
    expect(back.contentType).toContain('application/x-www-form-urlencoded')
    const logoutToken = new URLSearchParams(back.body).get('logout_token') ?? ''
    const jwks = createRemoteJWKSet(new URL(`${server.publicUrl}/.well-known/jwks.json`))
    const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, { issuer, audience: client.client_id, typ: 'logout+jwt' })
    expect(protectedHeader.typ).toBe('logout+jwt')
    expect(payload).toMatchObject({ sub: 'alice', sid, events: { [EVENT]: {} } })
    expect(payload.nonce).toBeUndefined()
    expect(typeof payload.jti).toBe('string')

    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([])

    // The remembered login is gone: a new authorization request shows the login page again.
    await page.goto(authUrl('after-logout-state-123'))
    expect(new URL(page.url()).pathname).toBe('/oauth2/fallbacks/login')
    const challenge = new URL(page.url()).searchParams.get('login_challenge') ?? ''
    const lr = await fetch(`${server.adminUrl}/admin/oauth2/auth/requests/login?${new URLSearchParams({ login_challenge: challenge })}`)
    const loginRequest = (await lr.json()) as { skip: boolean; subject: string }
    expect(lr.status, JSON.stringify(loginRequest)).toBe(200)
    expect(loginRequest.skip).toBe(false)
    await context.close()
  }, 60_000)
})
