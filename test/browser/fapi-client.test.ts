// The FAPI 2.0-style client of docs/fapi.md with a real browser: openid-client pushes the
// authorization request (PAR, private_key_jwt, PKCE, dpop_jkt) to `orthrus serve all --dev`,
// headless Chromium carries only the request_uri through the demo login and consent pages, and
// the code is redeemed for DPoP-bound tokens that read /userinfo. What such a client must be
// refused is in test/flows/openid-client-fapi.test.ts.
import * as oidc from 'openid-client'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fapiClientMetadata, pushAuthorization } from '../support/fapi.js'
import { freePort, hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'

warnIfNoChromium('test/browser/fapi-client.test.ts')

describe.skipIf(!hasChromium)('FAPI 2.0-style client (PAR + DPoP + PKCE + private_key_jwt) in Chromium', () => {
  let env: DevServer
  let browser: Browser
  let redirectUri: string
  let config: oidc.Configuration

  beforeAll(async () => {
    env = await startDevServerAndBrowser('orthrus-fapi-', { OAUTH2_DPOP_REQUIRE_NONCE: 'true' })
    browser = env.browser
    redirectUri = `http://127.0.0.1:${await freePort()}/callback`
    const { metadata, auth } = await fapiClientMetadata(redirectUri)
    const created = await fetch(`${env.server.adminUrl}/admin/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) })
    expect(created.status).toBe(201)
    const { client_id } = (await created.json()) as { client_id: string }
    config = await oidc.discovery(new URL(env.issuer), client_id, undefined, auth, { execute: [oidc.allowInsecureRequests] })
  }, 60_000)

  afterAll(async () => {
    await env?.close()
  })

  const signInAndConsent = async (url: string): Promise<URL> => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      // Nothing listens on the client's redirect_uri: the browser answers it itself.
      await page.route(`${redirectUri}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client callback' }))
      await page.goto(url)
      await page.waitForURL(/\/oauth2\/fallbacks\/login\?/)
      await page.fill('input[name=username]', 'alice')
      await page.fill('input[name=password]', 'demo')
      await page.click('button[value=accept]')
      await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
      await page.click('button[value=accept]')
      await page.waitForURL(`${redirectUri}**`)
      return new URL(page.url())
    } finally {
      await context.close()
    }
  }

  it('pushes the request, signs in through the browser, and gets DPoP-bound tokens', async () => {
    const { DPoP, verifier, state, pushed } = await pushAuthorization(config, redirectUri)
    expect([...pushed.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])

    const callback = await signInAndConsent(pushed.href)
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP })
    expect(tokens.token_type).toBe('dpop')
    expect(tokens.claims()?.sub).toBe('alice')
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'alice', { DPoP })
    expect(info.sub).toBe('alice')
    const bearer = await fetch(`${env.issuer.replace(/\/$/, '')}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(bearer.status).toBe(401)
  })
})
