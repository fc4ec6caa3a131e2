// Back-Channel Logout 1.0 sending rules: one POST per client with a backchannel_logout_uri, a
// bounded wait, and failures logged without the token.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/model.js'
import { frontChannelUrls, LogoutNotifier } from '../../src/oidc/logout-channels.js'

let server: Server
let base = ''

beforeAll(async () => {
  // Never answers: only the sender's timeout ends the request.
  server = createServer(() => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const client = (over: Partial<Client>): Client =>
  ({
    client_id: 'rp',
    subject_type: 'public',
    sector_identifier_uri: '',
    redirect_uris: [],
    frontchannel_logout_uri: '',
    frontchannel_logout_session_required: false,
    backchannel_logout_uri: '',
    backchannel_logout_session_required: false,
    ...over,
  }) as Client

async function signer() {
  const { privateKey } = await generateKeyPair('ES256')
  return {
    sign: (_set: string, claims: JWTPayload, header?: { typ?: string }) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...(header?.typ ? { typ: header.typ } : {}) }).sign(privateKey),
  }
}

describe('LogoutNotifier', () => {
  it('gives up on a slow endpoint after the timeout and logs without the token', async () => {
    const logs: string[] = []
    const n = new LogoutNotifier({
      issuer: 'https://op.example.com/',
      keys: await signer(),
      pairwiseSalt: undefined,
      timeoutMs: 200,
      warn: (fields, message) => logs.push(JSON.stringify({ fields, message })),
    })
    const started = Date.now()
    await n.backChannel([client({ backchannel_logout_uri: `${base}/slow` }), client({ client_id: 'none' })], { sid: 's1', subject: 'u' }, new Date())
    expect(Date.now() - started).toBeLessThan(2000)
    expect(logs).toHaveLength(1)
    expect(logs[0]).toContain('"client_id":"rp"')
    expect(logs[0]).not.toMatch(/eyJ/)
  })

  it('makes logout tokens with typ logout+jwt, events, sid and no nonce', async () => {
    const n = new LogoutNotifier({ issuer: 'https://op.example.com/', keys: await signer(), pairwiseSalt: undefined, warn: () => undefined })
    const token = await n.logoutToken(client({}), { sid: 's1', subject: 'u' }, new Date())
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt')
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ iss: 'https://op.example.com/', aud: ['rp'], sid: 's1', sub: 'u' })
    expect(claims.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} })
    expect(claims).not.toHaveProperty('nonce')
  })
})

describe('frontChannelUrls', () => {
  it('adds iss and sid only for clients that require the session', () => {
    const urls = frontChannelUrls('https://op.example.com/', [
      client({ frontchannel_logout_uri: 'https://a.example.com/fc?x=1', frontchannel_logout_session_required: true }),
      client({ frontchannel_logout_uri: 'https://b.example.com/fc' }),
      client({}),
    ], 's1')
    expect(urls).toEqual(['https://a.example.com/fc?x=1&iss=https%3A%2F%2Fop.example.com%2F&sid=s1', 'https://b.example.com/fc'])
  })
})
