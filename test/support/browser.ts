// A minimal browser for flow tests: a cookie jar fed by Set-Cookie headers, and helpers to read
// redirects. Works with Fastify's inject and with fetch alike. Also the set-up shared by the real
// browser tests in test/browser/.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { expect } from 'vitest'
import { runCli, startServerProcess, type ServerProcess } from './cli.js'
import { freePort } from './socket-server.js'

export class CookieJar {
  private readonly cookies = new Map<string, string>()

  /** Takes the Set-Cookie header(s) of a response; Max-Age=0 deletes. */
  store(setCookie: string | string[] | undefined | null): void {
    if (!setCookie) return
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair?.indexOf('=') ?? -1
      if (!pair || eq < 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value)
  }

  delete(name: string): void {
    this.cookies.delete(name)
  }

  names(): string[] {
    return [...this.cookies.keys()]
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
  }

  clone(): CookieJar {
    const copy = new CookieJar()
    for (const [n, v] of this.cookies) copy.set(n, v)
    return copy
  }
}

/** Path and query of an absolute URL, for inject. */
export const pathOf = (url: string): string => {
  const u = new URL(url)
  return `${u.pathname}${u.search}`
}

/** The query parameters of a redirect location. */
export const queryOf = (location: string): URLSearchParams => new URL(location).searchParams

// ---- Real browser tests: Debian's Chromium driven by playwright-core against the built binary.

export { freePort }

export const CHROMIUM = '/usr/bin/chromium'
export const BROWSER_TEST_SECRET = 'browser-test-system-secret-0123456789'
export const hasChromium = existsSync(CHROMIUM)

/** Warns (once per file) that a browser test file is skipped because Chromium is missing. */
export function warnIfNoChromium(file: string): void {
  if (!hasChromium) console.warn(`${file}: skipped, ${CHROMIUM} is missing (apt-get install chromium)`)
}

export interface DevServer {
  dir: string
  server: ServerProcess
  browser: Browser
  /** The issuer URL, naming the real public port (the demo app's URLs derive from it). */
  issuer: string
  close(): Promise<void>
}

/**
 * Starts the built binary with `serve all --dev` on fixed free ports in a fresh temporary
 * directory, and launches headless Chromium.
 */
export async function startDevServerAndBrowser(dirPrefix: string, env: Record<string, string> = {}): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix))
  const [publicPort, adminPort] = [await freePort(), await freePort()]
  const issuer = `http://127.0.0.1:${publicPort}/`
  const server = await startServerProcess(
    ['--dev'],
    {
      SERVE_PUBLIC_PORT: String(publicPort),
      SERVE_ADMIN_PORT: String(adminPort),
      URLS_SELF_ISSUER: issuer,
      SECRETS_SYSTEM: BROWSER_TEST_SECRET,
      OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      ...env,
    },
    dir,
  )
  let browser: Browser
  try {
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
  } catch (err) {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    dir,
    server,
    browser,
    issuer,
    async close() {
      await browser.close()
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** `orthrus create oauth2-client` (built binary) against `adminUrl` with `args`: the new client's id and secret. */
export async function createClientWithCli(adminUrl: string, args: string[]): Promise<{ id: string; secret: string }> {
  const created = await runCli(['create', 'oauth2-client', '--endpoint', adminUrl, ...args])
  expect(created.code, created.stderr).toBe(0)
  return { id: /CLIENT ID\s+(\S+)/.exec(created.stdout)?.[1] ?? '', secret: /CLIENT SECRET\s+(\S+)/.exec(created.stdout)?.[1] ?? '' }
}
