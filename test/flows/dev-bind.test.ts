// `serve all --dev` carries a demo login that accepts anyone and an admin API without
// authentication: without an explicit serve.*.host it must listen on the loopback interface only,
// and every start says the address it is really bound to.
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServerProcess, type ServerProcess } from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'orthrus-dev-bind-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An IPv4 address of this machine that is not loopback, if it has one. */
const outward = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address

/** 'open' when a TCP connection to host:port is accepted, else the error code. */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(2000, () => {
      socket.destroy()
      resolve('timeout')
    })
    socket.once('connect', () => {
      socket.destroy()
      resolve('open')
    })
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
  })
}

/** The bound addresses the start-up lines report, by listener. */
function reported(server: ServerProcess): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of server.logs().split('\n')) {
    try {
      const entry = JSON.parse(line) as { listener?: string; address?: string; msg?: string }
      if (entry.listener && entry.address) {
        out[entry.listener] = entry.address
        expect(entry.msg).toContain(entry.address)
      }
    } catch {
      // not a JSON line
    }
  }
  return out
}

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1))

describe('serve all --dev', () => {
  it('listens on 127.0.0.1 only when no host is configured, and logs the bound address', async () => {
    // Empty values count as unset: the helper's default 127.0.0.1 is taken away.
    const server = await startServerProcess(['--dev'], { DSN: 'memory', SERVE_PUBLIC_HOST: '', SERVE_ADMIN_HOST: '' }, dir)
    try {
      const bound = reported(server)
      expect(bound.public).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(bound.admin).toMatch(/^127\.0\.0\.1:\d+$/)
      for (const address of [bound.public ?? '', bound.admin ?? '']) {
        expect(await probe('127.0.0.1', portOf(address))).toBe('open')
        if (outward !== undefined) expect(await probe(outward, portOf(address))).toBe('ECONNREFUSED')
      }
    } finally {
      await server.stop()
    }
  })

  it('still binds where serve.*.host says', async () => {
    const server = await startServerProcess(['--dev'], { DSN: 'memory', SERVE_PUBLIC_HOST: '0.0.0.0', SERVE_ADMIN_HOST: '' }, dir)
    try {
      const bound = reported(server)
      expect(bound.public).toMatch(/^0\.0\.0\.0:\d+$/)
      expect(bound.admin).toMatch(/^127\.0\.0\.1:\d+$/)
      // The URL handed to clients stays one that reaches the listener.
      expect(server.publicUrl).toBe(`http://127.0.0.1:${portOf(bound.public ?? '')}`)
      if (outward !== undefined) expect(await probe(outward, portOf(bound.public ?? ''))).toBe('open')
    } finally {
      await server.stop()
    }
  })
})
