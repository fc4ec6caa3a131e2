// A path of the other listener: 404 in Hydra's error shape, with a hint naming the right listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appsOn, type TestApps } from '../support/app.js'

const PUBLIC_HINT =
  'The requested route does not exist on the public listener: it belongs to the admin API, served by the admin listener (serve.admin.port, 4445 by default).'

describe('404 on the wrong listener', () => {
  let apps: TestApps
  beforeAll(async () => {
    apps = await appsOn('memory', { URLS_SELF_PUBLIC: 'https://auth.example.com/', URLS_SELF_ADMIN: 'http://10.0.0.5:4445/' })
  })
  afterAll(() => apps.close())

  const notFound = (hint: string) => ({
    error: 'Unable to locate the resource',
    error_description: hint,
    error_hint: hint,
    status_code: 404,
    request_id: 'r1',
  })

  it('names the admin listener for admin paths on the public listener, without its address', async () => {
    for (const [method, url] of [
      ['GET', '/admin/clients'],
      ['GET', '/clients/abc'],
      ['POST', '/oauth2/introspect'],
      ['POST', '/admin/oauth2/introspect'],
      ['GET', '/oauth2/auth/requests/login?login_challenge=x'],
      ['DELETE', '/oauth2/tokens?client_id=x'],
      ['GET', '/admin/keys/hydra.openid.id-token/'],
    ] as const) {
      const res = await apps.public.inject({ method, url, headers: { 'x-request-id': 'r1' } })
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.json(), url).toEqual(notFound(PUBLIC_HINT))
      expect(res.body).not.toContain('10.0.0.5')
    }
  })

  it('names the public listener and its URL for OAuth 2.0 paths on the admin listener', async () => {
    const hint =
      'The requested route does not exist on the admin listener: it belongs to the public API, served by the public listener at https://auth.example.com/.'
    for (const [method, url] of [
      ['POST', '/oauth2/token'],
      ['GET', '/oauth2/auth?client_id=x'],
      ['POST', '/oauth2/revoke'],
      ['GET', '/.well-known/openid-configuration'],
      ['GET', '/.well-known/jwks.json'],
      ['GET', '/userinfo'],
      ['GET', '/oauth2/sessions/logout'],
      ['POST', '/oauth2/device/auth'],
      ['GET', '/oauth2/fallbacks/login'],
    ] as const) {
      const res = await apps.admin.inject({ method, url, headers: { 'x-request-id': 'r1' } })
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toEqual(notFound(hint))
    }
  })

  it('keeps the plain 404 for paths neither listener has', async () => {
    for (const app of [apps.public, apps.admin]) {
      const res = await app.inject({ method: 'GET', url: '/no/such/route', headers: { 'x-request-id': 'r1' } })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual(notFound('The requested route does not exist.'))
    }
  })
})
