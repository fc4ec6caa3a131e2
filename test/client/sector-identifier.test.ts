import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECTOR_MAX_BYTES, checkSectorIdentifier, fetchSectorDocument } from '../../src/client/sector-identifier.js'
import { OAuthError } from '../../src/oauth2/errors.js'

const CB = 'https://app.example/cb'

describe('checkSectorIdentifier', () => {
  const doc = (body: string) => async () => body
  const check = (uri: string, body: string, dev = false) =>
    checkSectorIdentifier(uri, [CB], { dev, fetch: doc(body) })

  it('accepts a JSON array listing every redirect URI', async () => {
    await expect(check('https://sector.example/s.json', JSON.stringify([CB, 'https://other/cb']))).resolves.toBeUndefined()
    await expect(check('', 'never fetched')).resolves.toBeUndefined()
  })

  it('refuses plain http outside dev mode without fetching it', async () => {
    let fetched = false
    const run = checkSectorIdentifier('http://127.0.0.1/s.json', [CB], { dev: false, fetch: async () => ((fetched = true), '[]') })
    await expect(run).rejects.toThrow(/https/)
    expect(fetched).toBe(false)
    await expect(check('http://127.0.0.1/s.json', JSON.stringify([CB]), true)).resolves.toBeUndefined()
  })

  it.each([
    ['a missing redirect', JSON.stringify(['https://other/cb']), /not listed/],
    ['not JSON', '<html>', /^The sector_identifier_uri could not be fetched as a JSON array of URLs\.$/],
    ['not an array', JSON.stringify({ redirect_uris: [CB] }), /^The sector_identifier_uri could not be fetched as a JSON array of URLs\.$/],
    ['an array of non-strings', JSON.stringify([1]), /^The sector_identifier_uri could not be fetched as a JSON array of URLs\.$/],
  ])('refuses %s with invalid_client_metadata', async (_name, body, message) => {
    const err = await check('https://sector.example/s.json', body).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).error).toBe('invalid_client_metadata')
    expect(String((err as OAuthError).hint)).toMatch(message)
  })

  it('turns a failed fetch into invalid_client_metadata that does not repeat the failure', async () => {
    const run = checkSectorIdentifier('https://sector.example/s.json', [CB], {
      dev: false,
      fetch: async () => {
        throw new Error('the server answered 500 with <secret body>')
      },
    })
    await expect(run).rejects.toMatchObject({
      error: 'invalid_client_metadata',
      hint: 'The sector_identifier_uri could not be fetched as a JSON array of URLs.',
    })
  })
})

describe('fetchSectorDocument', () => {
  let server: Server
  let base = ''
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.writeHead(200).end('["x"]')
      if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(SECTOR_MAX_BYTES + 1))
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end()
      res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => server.close())

  it('reads a document', async () => {
    await expect(fetchSectorDocument(`${base}/ok`)).resolves.toBe('["x"]')
  })

  it('refuses documents over 1 MiB, redirects and error statuses', async () => {
    await expect(fetchSectorDocument(`${base}/big`)).rejects.toThrow(/larger than/)
    await expect(fetchSectorDocument(`${base}/redirect`)).rejects.toThrow(/redirects are not followed/)
    await expect(fetchSectorDocument(`${base}/missing`)).rejects.toMatchObject({ reason: 'status', status: 404 })
    await expect(fetchSectorDocument(`${base}/missing`)).rejects.toThrow(/^the server did not answer with the document$/)
  })
})
