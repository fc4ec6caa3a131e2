// secrets.cookie rotation: the first secret signs, every listed one verifies. A CSRF cookie a
// browser got before the rotation still completes its flow while the old secret is listed, and
// is refused once the old secret is removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cookieSuffix } from '../../src/flow/cookies.js'
import type { TestApps } from '../support/app.js'
import { queryOf } from '../support/browser.js'
import { testDatabases } from '../support/databases.js'
import { CONSENT_URL, CookieJar, FLOW_ENV, acceptConsent, acceptLogin, browse, createClient, startFlow, toClient, toConsent } from '../support/flow.js'
import { appsOn, sharedDatabase } from './support.js'

const OLD = 'the-old-cookie-secret-32-chars!!'
const NEW = 'the-new-cookie-secret-32-chars!!'

for (const t of testDatabases()) {
  describe(`secrets.cookie rotation on ${t.name}`, () => {
    let dsn: string
    let drop: () => Promise<void>
    let before: TestApps
    let rotated: TestApps
    let after: TestApps

    beforeAll(async () => {
      ;({ dsn, drop } = await sharedDatabase(t))
      before = await appsOn(dsn, { ...FLOW_ENV, SECRETS_COOKIE: OLD })
      rotated = await appsOn(dsn, { ...FLOW_ENV, SECRETS_COOKIE: `${NEW},${OLD}` })
      after = await appsOn(dsn, { ...FLOW_ENV, SECRETS_COOKIE: NEW })
    })
    afterAll(async () => {
      for (const a of [before, rotated, after]) await a?.close()
      await drop()
    })

    it('a CSRF cookie signed with the old secret works while it is listed and fails once it is removed', async () => {
      const client = await createClient(before)
      const jar = new CookieJar()
      const verifier = await acceptLogin(before, await startFlow(before, jar, client.client_id))
      const csrfName = `${before.registry.config.serve.cookies.names.login_csrf}_${cookieSuffix(client.client_id)}`
      const signedWithOld = jar.get(csrfName)
      expect(signedWithOld).toBeTruthy()

      // Old secret removed: the cookie is not authentic any more (and the verifier is not used up).
      const refused = await browse(after, jar, verifier)
      expect([302, 303]).toContain(refused.statusCode)
      expect(String(refused.headers.location).startsWith(CONSENT_URL)).toBe(false)
      expect(queryOf(String(refused.headers.location)).get('error')).toBe('request_forbidden')

      // Old secret still listed after the new one: the same cookie is accepted.
      jar.set(csrfName, signedWithOld!)
      const consent = await toConsent(rotated, jar, verifier)

      // Cookies set from now on are signed with the new secret, which the new-only server accepts.
      const q = await toClient(after, jar, await acceptConsent(rotated, consent))
      expect(q.get('code')).toBeTruthy()
    })

    it('an instance with the new secret only refuses every cookie signed with the old one', async () => {
      const client = await createClient(before)
      const jar = new CookieJar()
      const verifier = await acceptLogin(before, await startFlow(before, jar, client.client_id))
      const q = queryOf(String((await browse(after, jar, verifier)).headers.location))
      expect(q.get('error')).toBe('request_forbidden')
      // The same browser, with the old secret listed again, completes the login step.
      await toConsent(rotated, jar, verifier)
    })
  })
}
