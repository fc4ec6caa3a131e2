// The flow's cookies: signed, bound to their name, with the configured attributes.
import { describe, expect, it } from 'vitest'
import type { Config } from '../../src/config/types.js'
import { CookieSigner, parseCookieHeader, setCookieHeaders } from '../../src/http/cookies.js'

const config: Config['serve']['cookies'] = {
  same_site_mode: 'Lax',
  same_site_legacy_workaround: false,
  secure: true,
  names: { device_csrf: 'd', login_csrf: 'l', consent_csrf: 'c', session: 's' },
  paths: { session: '/' },
}

describe('CookieSigner', () => {
  const signer = new CookieSigner(['cookie-secret-one-with-32-chars!'])

  it('verifies its own values and nothing else', () => {
    const signed = signer.sign('csrf_1', 'abc123')
    expect(signer.verify('csrf_1', signed)).toBe('abc123')
    expect(signer.verify('csrf_2', signed)).toBeUndefined()
    expect(signer.verify('csrf_1', signed.replace('abc123', 'abc124'))).toBeUndefined()
    expect(signer.verify('csrf_1', 'abc123')).toBeUndefined()
    expect(new CookieSigner(['another-secret-with-32-characters']).verify('csrf_1', signed)).toBeUndefined()
    expect(new CookieSigner(['new-secret-for-rotation-32-chars!', 'cookie-secret-one-with-32-chars!']).verify('csrf_1', signed)).toBe('abc123')
  })

  it('writes HttpOnly, Secure and SameSite, and clears with Max-Age=0', () => {
    const [set] = setCookieHeaders([{ name: 'l_1', value: 'v', maxAge: 60, path: '/', csrf: true }], signer, config)
    expect(set).toMatch(/^l_1=v\.[A-Za-z0-9_-]+; Path=\/; Max-Age=60; Expires=.*; HttpOnly; Secure; SameSite=Lax$/)
    const [clear] = setCookieHeaders([{ name: 's', value: null, maxAge: 0, path: '/', csrf: false }], signer, config)
    expect(clear).toContain('Max-Age=0')
    const [session] = setCookieHeaders([{ name: 's', value: 'id', path: '/', csrf: false }], signer, config)
    expect(session).not.toContain('Max-Age')
  })

  it("adds Hydra's legacy twin for SameSite=None when asked", () => {
    const legacy = { ...config, same_site_mode: 'None' as const, same_site_legacy_workaround: true }
    const headers = setCookieHeaders([{ name: 'l_1', value: 'v', maxAge: 60, path: '/', csrf: true }], signer, legacy)
    expect(headers).toHaveLength(2)
    expect(headers[1]).toMatch(/^l_1_legacy=/)
    expect(headers[1]).not.toContain('SameSite')
  })

  it('parses Cookie headers leniently', () => {
    const jar = parseCookieHeader('a=1; b="2";c=3; a=4; broken')
    expect([...jar]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ])
  })
})

// The cookie package under Fastify's inject (light-my-request) is held at a version whose engines
// include Node 20; this checks the API inject uses still encodes and sends the cookies.
describe('app.inject with cookies', () => {
  it('sends them in one Cookie header, values encoded', async () => {
    const { default: Fastify } = await import('fastify')
    const app = Fastify()
    app.get('/echo', async (request) => ({ cookie: request.headers.cookie }))
    const res = await app.inject({ method: 'GET', url: '/echo', cookies: { a: 'one two', b: 'x;y' } })
    expect(res.json()).toEqual({ cookie: 'a=one%20two; b=x%3By' })
    await app.close()
  })
})
