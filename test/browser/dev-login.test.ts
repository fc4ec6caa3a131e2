// A real browser (headless Chromium) through `orthrus serve all --dev` with the built-in demo
// login & consent app, then `orthrus perform authorization-code` with the same browser.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { createClientWithCli, freePort, hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'
import { cleanEnv, MAIN, type ServerProcess } from '../support/cli.js'

warnIfNoChromium('test/browser/dev-login.test.ts')

describe.skipIf(!hasChromium)('demo login & consent app in Chromium', () => {
  let env: DevServer
  let server: ServerProcess
  let browser: Browser
  let callbackPort: number
  let redirectUri: string
  let client: { id: string; secret: string }

  beforeAll(async () => {
    // The fallback (demo app) URLs derive from the issuer, so it names the real public port.
    env = await startDevServerAndBrowser('orthrus-browser-')
    server = env.server
    browser = env.browser
    callbackPort = await freePort()
    redirectUri = `http://127.0.0.1:${callbackPort}/callback`
    client = await createClientWithCli(server.adminUrl, [
      '--name', 'Browser Demo',
      '--grant-type', 'authorization_code,refresh_token', '--response-type', 'code', '--scope', 'openid,offline,profile', '--redirect-uri', redirectUri,
    ])
  }, 60_000)

  afterAll(async () => {
    await env?.close()
  })

  it('logs in and consents through the demo pages and lands on the redirect_uri with a code', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    // Nothing listens on the client's redirect_uri in this test: the browser answers it itself.
    await page.route(`${redirectUri}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client callback' }))
    const auth = `${server.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.id, response_type: 'code', scope: 'openid offline profile', redirect_uri: redirectUri, state: 'browser-state-123456' })}`
    await page.goto(auth)
    expect(new URL(page.url()).pathname).toBe('/oauth2/fallbacks/login')
    await expect(page.textContent('body')).resolves.toContain('Demo login & consent app')

    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'wrong')
    await page.click('button[value=accept]')
    await expect(page.textContent('.error')).resolves.toContain('Wrong password')

    await page.fill('input[name=password]', 'demo')
    await page.check('input[name=remember]')
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
    await page.uncheck('input[name=grant_scope][value=profile]')
    await page.check('input[name=remember]')
    await page.click('button[value=accept]')
    await page.waitForURL(`${redirectUri}**`)

    const callback = new URL(page.url())
    expect(callback.searchParams.get('state')).toBe('browser-state-123456')
    const code = callback.searchParams.get('code') ?? ''
    expect(code).not.toBe('')
    await context.close()

    const token = await fetch(`${server.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
    })
    const body = (await token.json()) as Record<string, unknown>
    expect(token.status, JSON.stringify(body)).toBe(200)
    expect(body['access_token']).toMatch(/^ory_at_/)
    expect(body['refresh_token']).toMatch(/^ory_rt_/)
    expect(typeof body['id_token']).toBe('string')
    // profile was unchecked on the consent page.
    expect(body['scope']).toBe('openid offline')
  }, 60_000)

  it('drives `orthrus perform authorization-code --no-open` with the browser', async () => {
    const child = spawn(
      process.execPath,
      [MAIN, 'perform', 'authorization-code', '--no-open', '--client-id', client.id, '--client-secret', client.secret, '--endpoint', server.publicUrl, '--port', String(callbackPort)],
      { env: cleanEnv() },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const link = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        const found = /\t(http:\/\/\S+\/oauth2\/auth\?\S+)/.exec(stderr)
        if (found?.[1]) resolve(found[1])
      })
      void exited.then(() => reject(new Error(`perform authorization-code exited early:\n${stderr}`)))
    })

    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${callbackPort}/`)
    await page.click('a')
    await page.waitForURL(/\/oauth2\/fallbacks\/login\?/)
    expect(new URL(page.url()).searchParams.get('login_challenge')).toBeTruthy()
    expect(link).toContain('code_challenge_method=S256')
    await page.fill('input[name=username]', 'bob')
    await page.fill('input[name=password]', 'demo')
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
    await page.click('button[value=accept]')
    await page.waitForURL(`${redirectUri}**`)
    const code = await exited
    await context.close()

    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^ACCESS TOKEN\s+ory_at_\S+\nREFRESH TOKEN\s+ory_rt_\S+\nID TOKEN\s+eyJ\S+\nEXPIRY\s+\d{4}-/)
  }, 60_000)
})
