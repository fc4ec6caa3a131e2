// The documents a client registers by URL (request_uri, jwks_uri, sector_identifier_uri) are
// fetched from servers the client controls. A hostile one answers with an endless or enormous
// body, a compression bomb, a trickle, or a redirect: each fetch fails cleanly with the right
// OAuth error, and the memory it costs stays bounded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGzip } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSectorIdentifier, fetchSectorDocument } from '../../src/client/sector-identifier.js'
import { ClientKeySets } from '../../src/oauth2/client-jwks.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { AuthorizeParams } from '../../src/oauth2/authorize-params.js'
import { applyRequestObject, fetchRequestUri } from '../../src/oauth2/request-object.js'
import { sampleClient } from '../support/fixtures.js'

const MiB = 1024 * 1024
const ZEROS = Buffer.alloc(MiB)

/** gzip of `mib` MiB of zeros, made without ever holding the plain text (about 1 KiB per MiB). */
async function gzipBomb(mib: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 })
  const out: Buffer[] = []
  gz.on('data', (c: Buffer) => out.push(c))
  const done = new Promise((r) => gz.on('end', r))
  for (let i = 0; i < mib; i++) {
    if (!gz.write(ZEROS)) await new Promise((r) => gz.once('drain', r))
  }
  gz.end()
  await done
  return Buffer.concat(out)
}

interface Hostile {
  url: string
  /** Bytes written to sockets so far, over all answers. */
  sent: number
  /** Requests received. */
  seen: number
  server: Server
}

let hostile: Hostile
let bomb: Buffer

function endless(res: ServerResponse, limit = Infinity): void {
  let written = 0
  const pump = () => {
    while (written < limit && !res.destroyed) {
      written += ZEROS.length
      hostile.sent += ZEROS.length
      if (!res.write(ZEROS)) return void res.once('drain', pump)
    }
    if (!res.destroyed) res.end()
  }
  pump()
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  hostile.seen++
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path === '/endless') {
    res.writeHead(200, { 'content-type': 'application/json' })
    return endless(res)
  }
  if (path === '/400mb') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(400 * MiB) })
    return endless(res, 400 * MiB)
  }
  if (path === '/bomb') {
    // Compressed whatever the request asked for.
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) })
    hostile.sent += bomb.length
    return void res.end(bomb)
  }
  if (path === '/stall') {
    // Headers, then one byte now and then: never done.
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('[')
    const t = setInterval(() => res.write(' '), 100)
    res.on('close', () => clearInterval(t))
    return
  }
  if (path === '/silent') return // never answers
  if (path === '/redirect') return void res.writeHead(302, { location: `${hostile.url}/endless` }).end()
  res.writeHead(404).end()
}

beforeAll(async () => {
  // 1 GiB of zeros, about 1 MiB compressed.
  bomb = await gzipBomb(1024)
  const server = createServer(answer)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  hostile = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: 0, seen: 0, server }
}, 60_000)

afterAll(async () => {
  hostile.server.closeAllConnections()
  await new Promise((r) => hostile.server.close(r))
})

const rssMiB = () => process.memoryUsage().rss / MiB

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a failure')
}

describe('request_uri from a hostile server', () => {
  const client = () =>
    sampleClient({
      client_id: 'app',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pM5W1lt3P2Jb_r0s' }] },
      request_uris: ['/endless', '/400mb', '/bomb', '/stall', '/silent', '/redirect'].map((p) => `${hostile.url}${p}`),
    })
  const params = (path: string) =>
    new AuthorizeParams([['client_id', 'app'], ['response_type', 'code'], ['scope', 'openid'], ['request_uri', `${hostile.url}${path}`]])

  it('three parallel endless and 400 MB answers fail with invalid_request_uri; memory stays bounded', async () => {
    const before = rssMiB()
    const sentBefore = hostile.sent
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 5)
    const errors = await Promise.all(
      ['/endless', '/400mb', '/endless'].map((p) => failureOf(applyRequestObject(params(p), client(), fetchRequestUri))),
    )
    clearInterval(sampler)
    for (const e of errors) {
      expect(e).toBeInstanceOf(OAuthError)
      expect((e as OAuthError).error).toBe('invalid_request_uri')
      expect((e as OAuthError).hint).toMatch(/larger than 1048576 bytes/)
    }
    // The reads stopped just past 1 MiB each: what the server managed to push is socket buffers.
    expect(hostile.sent - sentBefore).toBeLessThan(3 * 40 * MiB)
    expect(peak - before).toBeLessThan(100)
  }, 30_000)

  it('a gzip bomb (1 MiB inflating to 1 GiB) is refused after 1 MiB decoded; memory stays bounded', async () => {
    const before = rssMiB()
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 5)
    const errors = await Promise.all([1, 2, 3].map(() => failureOf(applyRequestObject(params('/bomb'), client(), fetchRequestUri))))
    clearInterval(sampler)
    for (const e of errors) {
      expect((e as OAuthError).error).toBe('invalid_request_uri')
      expect((e as OAuthError).hint).toMatch(/larger than 1048576 bytes/)
    }
    expect(peak - before).toBeLessThan(100)
  }, 30_000)

  it('a redirect is refused, not followed', async () => {
    const seen = hostile.seen
    const e = await failureOf(applyRequestObject(params('/redirect'), client(), fetchRequestUri))
    expect((e as OAuthError).error).toBe('invalid_request_uri')
    expect((e as OAuthError).hint).toMatch(/redirects are not followed/)
    expect(hostile.seen - seen).toBe(1)
  })

  it('a server that never answers, or trickles its body, times out', async () => {
    const started = Date.now()
    const [silent, stall] = await Promise.all([
      failureOf(applyRequestObject(params('/silent'), client(), fetchRequestUri)),
      failureOf(applyRequestObject(params('/stall'), client(), fetchRequestUri)),
    ])
    expect((silent as OAuthError).error).toBe('invalid_request_uri')
    expect((silent as OAuthError).hint).toMatch(/no answer within 5 seconds/)
    expect((stall as OAuthError).hint).toMatch(/no answer within 5 seconds/)
    expect(Date.now() - started).toBeLessThan(8000)
  }, 15_000)
})

describe('jwks_uri and sector_identifier_uri from a hostile server', () => {
  it('a gzip bomb at a jwks_uri is an unusable jwks_uri, not a memory spike', async () => {
    const keys = new ClientKeySets({ dev: true })
    const before = rssMiB()
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 5)
    const e = await failureOf(Promise.resolve(keys.resolver(`${hostile.url}/bomb`)({ alg: 'ES256' }, { payload: '', signature: '' })))
    clearInterval(sampler)
    expect(e.name).toBe('JwksUriError')
    expect(e.message).toBe('the keys could not be fetched from it')
    expect(peak - before).toBeLessThan(100)
  }, 30_000)

  it('an endless sector document fails registration with "could not be fetched"', async () => {
    const before = rssMiB()
    const e = await failureOf(checkSectorIdentifier(`${hostile.url}/endless`, ['https://app.example/cb'], { dev: true, fetch: fetchSectorDocument }))
    expect((e as OAuthError).error).toBe('invalid_client_metadata')
    expect((e as OAuthError).hint).toBe('The sector_identifier_uri could not be fetched as a JSON array of URLs.')
    expect(rssMiB() - before).toBeLessThan(100)
  }, 30_000)
})
