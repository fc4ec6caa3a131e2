// OAuth 2.0 Form Post Response Mode in a real browser (headless Chromium): `orthrus serve all
// --dev` with the demo login & consent app, a client whose redirect_uri is a small 127.0.0.1 HTTP
// server in this test. The browser itself must auto-submit the form under the page's hashed-CSP
// script, with no CSP violation on the way.
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'
import type { ServerProcess } from '../support/cli.js'
import { startLocalServer, type LocalServer } from '../support/fake-http.js'

warnIfNoChromium('test/browser/form-post.test.ts')

interface Posted {
  method: string
  path: string
  contentType: string
  form: URLSearchParams
}

describe.skipIf(!hasChromium)('form_post response mode in Chromium', () => {
  let env: DevServer
  let server: ServerProcess
  let browser: Browser
  let rp: LocalServer
  let redirectUri: string
  let issuer: string
  const posted: Posted[] = []

  beforeAll(async () => {
    rp = await startLocalServer((req, body, res) => {
      posted.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', form: new URLSearchParams(body) })
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>client</title><p>received</p>')
    })
    redirectUri = `${rp.url}/callback`

    env = await startDevServerAndBrowser('orthrus-browser-fp-')
    server = env.server
    browser = env.browser
    issuer = env.issuer
  }, 60_000)

  afterAll(async () => {
    await env?.close()
    await rp?.close()
  })

  async function createClient(responseTypes: string[]): Promise<string> {
    const res = await fetch(`${server.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'implicit', 'refresh_token'],
        response_types: responseTypes,
        scope: 'openid offline',
      }),
    })
    const body = (await res.json()) as { client_id: string }
    expect(res.status, JSON.stringify(body)).toBe(201)
    return body.client_id
  }

  /** Console errors and uncaught page errors: a CSP violation shows up as a console error. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text())
    })
    page.on('pageerror', (e) => errors.push(e.message))
    return errors
  }

  const cases = [
    { responseType: 'code', idToken: false, extra: {} as Record<string, string> },
    { responseType: 'code id_token', idToken: true, extra: { nonce: 'browser-nonce-0123456789' } as Record<string, string> },
  ]
  for (const c of cases) {
    it(`auto-submits the ${c.responseType} response to the client's redirect_uri`, async () => {
      const clientId = await createClient([c.responseType])
      const state = `fp-state-${c.responseType.replace(' ', '-')}-123456`
      const context = await browser.newContext()
      const page = await context.newPage()
      const errors = watchErrors(page)
      // The form_post page is the answer to the consent verifier.
      const formPages: Array<{ url: string; status: number; headers: Record<string, string> }> = []
      page.on('response', (r) => {
        if (r.url().includes('consent_verifier=')) formPages.push({ url: r.url(), status: r.status(), headers: r.headers() })
      })
      const before = posted.length

      const auth = `${server.publicUrl}/oauth2/auth?${new URLSearchParams({
        client_id: clientId,
        response_type: c.responseType,
        response_mode: 'form_post',
        scope: 'openid offline',
        redirect_uri: redirectUri,
        state,
        ...c.extra,
      })}`
      await page.goto(auth)
      expect(new URL(page.url()).pathname).toBe('/oauth2/fallbacks/login')
      await page.fill('input[name=username]', 'alice')
      await page.fill('input[name=password]', 'demo')
      await page.click('button[value=accept]')
      await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
      await page.click('button[value=accept]')
      await page.waitForURL(redirectUri)
      await expect(page.textContent('body')).resolves.toContain('received')

      // The browser (not this test) POSTed the form, once (Chromium may also ask for /favicon.ico).
      const mine = posted.slice(before).filter((p) => p.path !== '/favicon.ico')
      expect(mine).toHaveLength(1)
      const post = mine[0] as Posted
      expect(post.method).toBe('POST')
      expect(post.path).toBe('/callback')
      expect(post.contentType).toContain('application/x-www-form-urlencoded')
      expect(post.form.get('state')).toBe(state)
      expect(post.form.get('iss')).toBe(issuer)
      const code = post.form.get('code') ?? ''
      expect(code).toMatch(/^ory_ac_/)
      expect(post.form.has('id_token')).toBe(c.idToken)
      if (c.idToken) {
        const jwks = createRemoteJWKSet(new URL(`${server.publicUrl}/.well-known/jwks.json`))
        const { payload } = await jwtVerify(post.form.get('id_token') ?? '', jwks, { issuer, audience: clientId })
        expect(payload).toMatchObject({ sub: 'alice', nonce: c.extra.nonce })
        expect(typeof payload.c_hash).toBe('string')
      }

      // The form_post page came with its strict CSP, and nothing was blocked on any page.
      expect(formPages).toHaveLength(1)
      const formPage = formPages[0] as (typeof formPages)[number]
      expect(formPage.status).toBe(200)
      const csp = formPage.headers['content-security-policy'] ?? ''
      expect(csp).toContain("default-src 'none'")
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/)
      expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    }, 60_000)
  }
})
