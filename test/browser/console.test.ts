// The admin console in headless Chromium against `orthrus serve all --dev` (the built binary), on
// SQLite and PostgreSQL: every page walked as an operator would, with a screenshot of each under
// test-output/console/<database>/ for review. Any CSP violation or script error fails the test.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportJWK, generateKeyPair } from 'jose'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, hasChromium, startDevServerAndBrowser, warnIfNoChromium, type DevServer } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'

warnIfNoChromium('test/browser/console.test.ts')

const OUTPUT = fileURLToPath(new URL('../../test-output/console/', import.meta.url))

for (const t of testDatabases().filter((d) => d.name !== 'mysql')) {
  describe.skipIf(!hasChromium)(`admin console in Chromium on ${t.name}`, () => {
    let env: DevServer
    let drop: (() => Promise<void>) | undefined
    let context: BrowserContext
    let page: Page
    let console: string
    let redirectUri: string
    const problems: string[] = []
    const shots = join(OUTPUT, t.name)
    let shot = 0
    const snap = async (name: string, p: Page = page) => {
      await p.screenshot({ path: join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true })
    }
    const go = async (hash: string) => {
      await page.goto(`${console}#/${hash}`)
    }

    beforeAll(async () => {
      rmSync(shots, { recursive: true, force: true })
      mkdirSync(shots, { recursive: true })
      // SQLite: the --dev default file in the server's directory; PostgreSQL: a throw-away schema.
      let dsnEnv: Record<string, string> = {}
      if (t.name !== 'sqlite') {
        const created = await t.create()
        drop = created.drop
        dsnEnv = { DSN: created.dsn }
      }
      env = await startDevServerAndBrowser('orthrus-console-', dsnEnv)
      console = `${env.server.adminUrl}/console/`
      redirectUri = `http://127.0.0.1:${await freePort()}/callback`
      context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } })
      // Nothing listens on the client's redirect URI: the browser answers it itself.
      await context.route(`${redirectUri}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client callback' }))
      context.on('page', (p) => {
        p.on('console', (m) => {
          // The 4xx answers the test provokes on purpose are logged as failed loads: not a problem.
          const text = m.text()
          if (/Content Security Policy|Refused to/i.test(text) || (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(text))) problems.push(`${p.url()}: ${text}`)
        })
        p.on('pageerror', (e) => problems.push(`${p.url()}: ${String(e)}`))
      })
      page = await context.newPage()
    }, 90_000)

    afterAll(async () => {
      await context?.close()
      await env?.close()
      await drop?.()
    })

    it('shows the overview: issuer, database, migrations, key sets, health', async () => {
      await go('')
      await expect(page.textContent('#ov-server + dl')).resolves.toContain(env.issuer)
      await page.waitForSelector('text=up to date')
      await expect(page.textContent('#ov-db + dl')).resolves.toContain(t.name === 'sqlite' ? 'sqlite' : 'postgres')
      await expect(page.textContent('section[aria-labelledby=ov-keys]')).resolves.toContain('hydra.openid.id-token')
      await expect(page.textContent('section[aria-labelledby=ov-server]')).resolves.toContain('ready')
      await page.waitForSelector('text=Tokens issued')
      await snap('overview')
    })

    let clientId = ''
    let firstSecret = ''

    it('creates a client through the form, showing the API error next to its field first', async () => {
      await go('clients')
      await page.click('text=New client')
      await page.fill('input[name=client_name]', 'Console App')
      await page.check('input[name=grant_types][value=client_credentials]')
      await page.fill('textarea[name=redirect_uris]', 'not a url')
      await page.click('button:has-text("Create client")')
      const fieldError = page.locator('[data-field-error=redirect_uris]')
      await expect(fieldError.textContent()).resolves.toContain('is not an absolute URI')
      // The same 400 the API answers, readable above the form, and the field marked and focused.
      await expect(page.textContent('.alert.error')).resolves.toMatch(/400[\s\S]*invalid_redirect_uri/)
      await expect(page.getAttribute('textarea[name=redirect_uris]', 'aria-invalid')).resolves.toBe('true')
      await expect(page.evaluate("document.activeElement?.getAttribute('name')")).resolves.toBe('redirect_uris')
      await snap('client-form-error')

      await page.fill('textarea[name=redirect_uris]', redirectUri)
      await page.click('button:has-text("Create client")')
      await page.waitForSelector('.secret code.value')
      firstSecret = (await page.textContent('.secret code.value')) ?? ''
      expect(firstSecret.length).toBeGreaterThanOrEqual(26)
      clientId = decodeURIComponent(new URL(page.url()).hash.replace('#/clients/', ''))
      expect(clientId).toMatch(/^[0-9a-f-]{36}$/)
      await expect(page.textContent('section[aria-labelledby=c-commands]')).resolves.toContain('orthrus perform client-credentials')
      await snap('client-created')
    })

    it('lists the client, and finds it by exact name', async () => {
      await go('clients')
      await page.waitForSelector(`text=${clientId}`)
      await page.fill('input[name=client_name]', 'Console App')
      await page.click('button:has-text("Search")')
      await page.waitForURL(/client_name=Console/)
      await page.waitForSelector('text=1 client match')
      await snap('clients')
    })

    it('gives the client a new secret, shown once', async () => {
      await go(`clients/${clientId}`)
      await page.click('button:has-text("New secret")')
      await page.waitForSelector('dialog[open]')
      await snap('client-new-secret-dialog')
      await page.click('dialog button:has-text("Create new secret")')
      await page.waitForSelector('dialog', { state: 'detached' })
      const second = await page.textContent('.secret code.value')
      expect(second).toBeTruthy()
      expect(second).not.toBe(firstSecret)
      // Reloading never shows it again.
      await page.reload()
      await page.waitForSelector('text=Grant types')
      expect(await page.locator('.secret').count()).toBe(0)
    })

    it('runs client_credentials in "Try it" and shows the token and its introspection', async () => {
      // The reload in the test before forgot this tab's secrets: make a new one, as an operator would.
      await go(`clients/${clientId}`)
      await page.click('button:has-text("New secret")')
      await page.click('dialog button:has-text("Create new secret")')
      await page.waitForSelector('.secret code.value')
      await page.click('main a:has-text("Try it")')
      // Filled in from this tab's memory.
      await expect.poll(() => page.inputValue('input[name=client_secret]')).not.toBe('')
      await page.click('button:has-text("Get a token")')
      await page.waitForSelector('.try-result[data-status="200"]')
      await expect(page.textContent('.try-result')).resolves.toContain('ory_at_')
      await page.waitForSelector('text=Introspection')
      await expect(page.textContent('.try-result')).resolves.toContain('"active": true')
      await snap('try-it')
    })

    it('starts an authorization code flow in a new tab, through the themed demo login & consent pages', async () => {
      const popupPromise = context.waitForEvent('page')
      await page.click('a:has-text("Start in a new tab")')
      const popup = await popupPromise
      await popup.waitForURL(/\/oauth2\/fallbacks\/login\?/)
      await snap('dev-login', popup)
      await popup.fill('input[name=username]', 'alice')
      await popup.fill('input[name=password]', 'demo')
      await popup.click('button[value=accept]')
      await popup.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
      await snap('dev-consent', popup)
      await popup.check('input[name=remember]')
      await popup.click('button[value=accept]')
      await popup.waitForURL(`${redirectUri}**`)
      expect(new URL(popup.url()).searchParams.get('code')).toBeTruthy()
      await popup.close()
    })

    it('looks up the subject and revokes the consent session that flow created', async () => {
      await go('sessions')
      await page.fill('input[name=subject]', 'alice')
      await page.click('button:has-text("Look up")')
      await page.waitForSelector('td >> text=Console App')
      await snap('sessions')
      await page.click('button[aria-label="Revoke consent for Console App"]')
      await page.click('dialog button:has-text("Revoke")')
      await page.waitForSelector('text=No remembered consent for this subject.')
      await page.click('button:has-text("Revoke login sessions")')
      await page.click('dialog button:has-text("Revoke")')
      await page.waitForSelector('text=Login sessions revoked.')
    })

    it('creates, rotates and deletes keys', async () => {
      await go('keys')
      await page.waitForSelector('section[aria-label="Key set hydra.openid.id-token"]')
      await page.fill('input[name=set]', 'console-test')
      await page.selectOption('select[name=alg]', 'ES256')
      await page.click('button:has-text("Create key")')
      const set = page.locator('section[aria-label="Key set console-test"]')
      await set.waitFor()
      await expect(set.locator('tbody tr').count()).resolves.toBe(1)
      await expect(set.textContent()).resolves.toContain('P-256')
      // Public parameters only: no private member of the key reaches the page.
      await expect(page.content()).resolves.not.toMatch(/"d":/)
      await set.locator('button:has-text("Rotate")').click()
      await expect.poll(() => set.locator('tbody tr').count()).toBe(2)
      await snap('keys')
      await set.locator('tbody tr').nth(1).locator('button:has-text("Delete")').click()
      await page.click('dialog button:has-text("Delete key")')
      await expect.poll(() => set.locator('tbody tr').count()).toBe(1)
      await set.locator('button:has-text("Delete set")').click()
      await page.click('dialog button:has-text("Delete key set")')
      await set.waitFor({ state: 'detached' })
    })

    it('trusts a jwt-bearer issuer from a pasted JWK, refusing a private key by field, and deletes it', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
      await go('trust')
      await page.waitForSelector('text=No issuer is trusted yet.')
      await page.fill('input[name=issuer]', 'https://issuer.example.com')
      await page.fill('input[name=subject]', 'alice')
      await page.fill('input[name=scope]', 'read')
      await page.fill('textarea[name=jwk]', JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1' }))
      await page.click('button:has-text("Trust issuer")')
      await expect(page.locator('[data-field-error=jwk]').textContent()).resolves.toContain('private members')
      await snap('trust-error')
      await page.fill('textarea[name=jwk]', JSON.stringify({ ...(await exportJWK(publicKey)), kid: 'k1' }))
      await page.click('button:has-text("Trust issuer")')
      await page.waitForSelector('td >> text=https://issuer.example.com')
      await snap('trust')
      await page.click('button[aria-label="Delete trust in https://issuer.example.com"]')
      await page.click('dialog button:has-text("Delete trust relationship")')
      await page.waitForSelector('text=No issuer is trusted yet.')
    })

    it('edits the client: only the changed field is sent, the rest stays', async () => {
      await go(`clients/${clientId}`)
      await page.click('main a:has-text("Edit")')
      await page.waitForSelector('input[name=client_name]')
      await expect(page.inputValue('textarea[name=redirect_uris]')).resolves.toBe(redirectUri)
      await page.fill('input[name=client_name]', 'Console App v2')
      await page.click('button:has-text("Save changes")')
      await page.waitForSelector('h1:has-text("Console App v2")')
      await expect(page.textContent('section[aria-labelledby=c-uris]')).resolves.toContain(redirectUri)
      await expect(page.textContent('section[aria-labelledby=c-grants]')).resolves.toContain('client_credentials')
    })

    it('deletes the client after confirmation; Escape cancels', async () => {
      await go(`clients/${clientId}`)
      await page.click('button:has-text("Delete")')
      await page.waitForSelector('dialog[open]')
      await page.keyboard.press('Escape')
      await page.waitForSelector('dialog', { state: 'detached' })
      await page.click('button:has-text("Delete")')
      await page.click('dialog button:has-text("Delete client")')
      await page.waitForURL(/#\/clients$/)
      await page.waitForSelector('text=No clients yet.')
    })

    it('works by keyboard and at phone width', async () => {
      await page.setViewportSize({ width: 390, height: 844 })
      await go('')
      await page.reload()
      await page.waitForSelector('text=up to date')
      await page.keyboard.press('Tab')
      await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Skip to content')
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      await expect(page.evaluate("document.activeElement?.getAttribute('href')")).resolves.toBe('#/')
      // Nothing wider than the screen.
      await expect(page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true)
      await snap('overview-phone')
      await go('clients/new')
      await page.waitForSelector('input[name=client_name]')
      await expect(page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true)
      await snap('client-form-phone')
      // Every form control has a label.
      const unlabelled = await page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el) => el.labels.length === 0).map((el) => el.getAttribute('name'))",
      )
      expect(unlabelled).toEqual([])
    })

    it('ran without a CSP violation or a script error', () => {
      if (problems.length > 0) process.stderr.write(`${problems.join('\n')}\n`)
      expect(problems).toHaveLength(0)
    })
  })
}
