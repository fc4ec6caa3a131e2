// RFC 8628 with a real browser: `orthrus serve all --dev` (built binary) with the demo app's
// device, login and consent pages, while `orthrus perform device-code` (built binary) shows the
// user code, polls the token endpoint and finally prints the tokens.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { createClientWithCli, hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'
import { cleanEnv, MAIN, type ServerProcess } from '../support/cli.js'

warnIfNoChromium('test/browser/device-flow.test.ts')

describe.skipIf(!hasChromium)('device authorization grant in Chromium with `perform device-code`', () => {
  let env: DevServer
  let server: ServerProcess
  let browser: Browser
  let client: { id: string; secret: string }

  beforeAll(async () => {
    env = await startDevServerAndBrowser('orthrus-device-', { OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '1s' })
    server = env.server
    browser = env.browser
    client = await createClientWithCli(server.adminUrl, [
      '--name', 'Living Room TV',
      '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code,refresh_token', '--scope', 'openid,offline,profile',
    ])
  }, 60_000)

  afterAll(async () => {
    await env?.close()
  })

  it('authorizes the device through the demo pages while the CLI polls, then the CLI prints the tokens', async () => {
    const child = spawn(
      process.execPath,
      [MAIN, 'perform', 'device-code', '--client-id', client.id, '--client-secret', client.secret, '--endpoint', server.publicUrl, '--scope', 'openid,offline'],
      { env: cleanEnv() },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const shown = await new Promise<{ uri: string; userCode: string }>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        const uri = /open\n\n\t(http:\/\/\S+)\n/.exec(stderr)?.[1]
        const userCode = /enter the code\n\n\t(\S+)\n/.exec(stderr)?.[1]
        if (uri && userCode && stderr.includes('Waiting')) resolve({ uri, userCode })
      })
      void exited.then(() => reject(new Error(`perform device-code exited early:\n${stderr}`)))
    })
    expect(shown.uri).toBe(`${server.publicUrl}/oauth2/device/verify`)
    expect(shown.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)

    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(shown.uri)
    await page.waitForURL(/\/oauth2\/fallbacks\/device\?device_challenge=/)
    await expect(page.textContent('h1')).resolves.toContain('Connect a device')

    // A wrong code first: the page says so and how many attempts are left.
    await page.fill('input[name=user_code]', 'BBBB-BBBB')
    await page.click('button[value=accept]')
    await expect(page.textContent('.error')).resolves.toContain('4 attempt(s) left')

    // Typed the lazy way: lower case, no dash.
    await page.fill('input[name=user_code]', shown.userCode.replace('-', '').toLowerCase())
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/login\?/)
    await expect(page.textContent('body')).resolves.toContain('Living Room TV')
    await page.fill('input[name=username]', 'carol')
    await page.fill('input[name=password]', 'demo')
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
    await page.click('button[value=accept]')
    await page.waitForURL(/\/oauth2\/fallbacks\/device\/done$/)
    await expect(page.textContent('h1')).resolves.toContain('Your device is connected')
    await context.close()

    const code = await exited
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^ACCESS TOKEN\s+ory_at_\S+\nREFRESH TOKEN\s+ory_rt_\S+\nID TOKEN\s+eyJ\S+\nEXPIRY\s+\d{4}-/)
    // The token works: introspection names the person who signed in.
    const accessToken = /ACCESS TOKEN\s+(\S+)/.exec(stdout)?.[1] ?? ''
    const info = await fetch(`${server.adminUrl}/admin/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }).toString(),
    })
    expect(await info.json()).toMatchObject({ active: true, sub: 'carol', client_id: client.id })
  }, 90_000)

  it('the device page refuses a form without its CSRF token', async () => {
    const res = await fetch(`${server.publicUrl}/oauth2/fallbacks/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ challenge: 'x', user_code: 'BCDF-GHJK', csrf_token: 'forged' }).toString(),
    })
    expect(res.status).toBe(403)
  })
})
