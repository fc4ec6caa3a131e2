// The device verification budget (oauth2.device_authorization.verification_budget.*): new device
// challenges per client address and window at /oauth2/device/verify, configurable, and keyed by
// the client behind a trusted TLS-terminating proxy rather than by the proxy's address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { TEST_SECRET, testApps, type TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { DEVICE_ENV, DEVICE_UI } from '../support/flow.js'

describe('verification budget configuration', () => {
  it('defaults to 60 challenges per 10 minutes and reads both limits from the environment', () => {
    const base = { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET }
    expect(loadConfig({ dev: true, env: base }).config.oauth2.device_authorization.verification_budget).toEqual({
      attempts: 60,
      window: 600_000,
    })
    const set = loadConfig({
      dev: true,
      env: {
        ...base,
        OAUTH2_DEVICE_AUTHORIZATION_VERIFICATION_BUDGET_ATTEMPTS: '5',
        OAUTH2_DEVICE_AUTHORIZATION_VERIFICATION_BUDGET_WINDOW: '30s',
      },
    })
    expect(set.config.oauth2.device_authorization.verification_budget).toEqual({ attempts: 5, window: 30_000 })
  })
})

for (const t of testDatabases()) {
  describe(`device verification budget on ${t.name}`, () => {
    let direct: TestApps
    let proxied: TestApps
    beforeAll(async () => {
      const budget = { OAUTH2_DEVICE_AUTHORIZATION_VERIFICATION_BUDGET_ATTEMPTS: '2' }
      direct = await testApps(t, { ...DEVICE_ENV, ...budget })
      proxied = await testApps(t, { ...DEVICE_ENV, ...budget, SERVE_PUBLIC_TLS_ALLOW_TERMINATION_FROM: '10.0.0.0/8' })
    })
    afterAll(async () => {
      await direct.close()
      await proxied.close()
    })

    /** Whether the visit started a challenge (true) or was refused by the budget (false). */
    async function visit(env: TestApps, remoteAddress: string, headers: Record<string, string> = {}): Promise<boolean> {
      const res = await env.public.inject({ method: 'GET', url: '/oauth2/device/verify', remoteAddress, headers })
      expect(res.statusCode, res.body).toBe(302)
      const location = String(res.headers.location)
      if (location.startsWith(DEVICE_UI)) return true
      expect(queryOf(location).get('error')).toBe('temporarily_unavailable')
      return false
    }

    it('applies the configured number of challenges per address', async () => {
      expect([await visit(direct, '192.0.2.10'), await visit(direct, '192.0.2.10'), await visit(direct, '192.0.2.10')]).toEqual([
        true,
        true,
        false,
      ])
      expect(await visit(direct, '192.0.2.11')).toBe(true)
    })

    it('gives each client behind a trusted proxy its own budget', async () => {
      const via = (client: string) => ({ 'x-forwarded-proto': 'https', 'x-forwarded-for': client })
      expect(await visit(proxied, '10.0.0.1', via('198.51.100.1'))).toBe(true)
      expect(await visit(proxied, '10.0.0.1', via('198.51.100.1'))).toBe(true)
      expect(await visit(proxied, '10.0.0.1', via('198.51.100.1'))).toBe(false)
      // Same proxy, another client: not locked out by the first one.
      expect(await visit(proxied, '10.0.0.1', via('198.51.100.2'))).toBe(true)
      // A forged hop in front of the client's own address changes nothing: the proxy appends the
      // real peer, and only the proxy's entries are trusted.
      expect(await visit(proxied, '10.0.0.1', via('203.0.113.9, 198.51.100.1'))).toBe(false)
    })

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      expect(await visit(direct, '192.0.2.20', { 'x-forwarded-for': '198.51.100.3' })).toBe(true)
      expect(await visit(direct, '192.0.2.20', { 'x-forwarded-for': '198.51.100.4' })).toBe(true)
      expect(await visit(direct, '192.0.2.20', { 'x-forwarded-for': '198.51.100.5' })).toBe(false)
    })
  })
}
