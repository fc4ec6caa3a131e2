// A real browser (headless Chromium) through `orthrus serve all --dev` with the built-in demo
// login & consent app, then `orthrus perform authorization-code` with the same browser.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { cleanEnv, MAIN, runCli, startServerProcess, type ServerProcess } from '../support/cli.js'

const CHROMIUM = '/usr/bin/chromium'
const SECRET = 'browser-test-system-secret-0123456789'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`test/browser/dev-login.test.ts: skipped, ${CHROMIUM} is missing (apt-get install chromium)`)

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

describe.skipIf(!hasChromium)('demo login & consent app in Chromium', () => {
  let dir: string
  let server: ServerProcess
  let browser: Browser
  let callbackPort: number
  let redirectUri: string
  let client: { id: string; secret: string }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthrus-browser-'))
    const [publicPort, adminPort] = [await freePort(), await freePort()]
    callbackPort = await freePort()
    redirectUri = `http://127.0.0.1:${callbackPort}/callback`
    // The fallback (demo app) URLs derive from the issuer, so it must name the real public port.
    server = await startServerProcess(
      ['--dev'],
      {
        SERVE_PUBLIC_PORT: String(publicPort),
        SERVE_ADMIN_PORT: String(adminPort),
        URLS_SELF_ISSUER: `http://127.0.0.1:${publicPort}/`,
        SECRETS_SYSTEM: SECRET,
        OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      },
      dir,
    )
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    const created = await runCli([
      'create', 'oauth2-client', '--endpoint', server.adminUrl, '--name', 'Browser Demo',
      '--grant-type', 'authorization_code,refresh_token', '--response-type', 'code', '--scope', 'openid,offline,profile', '--redirect-uri', redirectUri,
    ])
    expect(created.code, created.stderr).toBe(0)
    client = { id: /CLIENT ID\s+(\S+)/.exec(created.stdout)?.[1] ?? '', secret: /CLIENT SECRET\s+(\S+)/.exec(created.stdout)?.[1] ?? '' }
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
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
