// Slow-client limits on real sockets: a body trickled a byte at a time is cut off with 408 within
// serve.*.timeouts.read, and connections over serve.*.max_connections are closed at once.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabases } from '../support/databases.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

const [sqlite] = testDatabases()

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port) }, () => resolve(s))
    s.once('error', reject)
  })
}

/** Everything the server sends until it closes the connection, and when it closed. */
function untilClosed(s: Socket): Promise<{ text: string; at: number }> {
  let text = ''
  s.on('data', (d: Buffer) => (text += d.toString()))
  return new Promise((resolve) => s.once('close', () => resolve({ text, at: Date.now() })))
}

describe('slow clients', () => {
  let srv: SocketServer
  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite test database')
    srv = await startSocketServer(sqlite, { SERVE_PUBLIC_TIMEOUTS_READ: '1s', SERVE_PUBLIC_TIMEOUTS_HEADER: '1s', SERVE_ADMIN_MAX_CONNECTIONS: '2' })
  })
  afterAll(async () => srv.close())

  it('cuts off a body trickled slowly with 408 within the read timeout', async () => {
    const s = await open(srv.publicUrl)
    const closed = untilClosed(s)
    const started = Date.now()
    s.write('POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n')
    const drip = setInterval(() => {
      if (!s.destroyed) s.write('a')
    }, 200)
    const { text, at } = await closed
    clearInterval(drip)
    expect(text).toMatch(/^HTTP\/1\.1 408/)
    expect(at - started).toBeLessThan(3000)
  })

  it('closes connections over the maximum and serves again below it', async () => {
    const held = [await open(srv.adminUrl), await open(srv.adminUrl)]
    // Let the server count both before the third arrives.
    await new Promise((r) => setTimeout(r, 100))
    const third = await open(srv.adminUrl)
    const { text } = await untilClosed(third)
    expect(text).toBe('')
    for (const s of held) s.destroy()
    await new Promise((r) => setTimeout(r, 100))
    const res = await fetch(`${srv.adminUrl}/health/alive`)
    expect(res.status).toBe(200)
  })

  it('has sane defaults', () => {
    expect(srv.config.serve.admin.timeouts).toEqual({ header: 10_000, read: 30_000, idle: 72_000 })
    expect(srv.config.serve.public.max_connections).toBe(4096)
  })
})
