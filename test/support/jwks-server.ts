// A JWK Set server on 127.0.0.1 for jwks_uri tests: /jwks serves `keys` (changeable), and a few
// paths misbehave (too big, too slow, not JSON, a redirect). Counts the hits per path.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

export interface JwksServer {
  base: string
  /** What /jwks serves. */
  keys: JWK[]
  hits: Map<string, number>
  close(): Promise<void>
}

export async function startJwksServer(maxBytes = 1024 * 1024): Promise<JwksServer> {
  const hits = new Map<string, number>()
  const state: JwksServer = { base: '', keys: [], hits, close: async () => undefined }
  const server: Server = createServer((req, res) => {
    const path = req.url ?? ''
    hits.set(path, (hits.get(path) ?? 0) + 1)
    if (path === '/jwks') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
    if (path === '/big') return void res.writeHead(200).end(`{"keys":[],"pad":"${'x'.repeat(maxBytes)}"}`)
    if (path === '/slow') return void setTimeout(() => res.writeHead(200).end(JSON.stringify({ keys: state.keys })), 2000)
    if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>keys</html>')
    if (path === '/redirect') return void res.writeHead(302, { location: '/jwks' }).end()
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
