// `orthrus create|get|list|delete jwt-bearer-grant` in-process against a real server on a socket.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerTrustCommands } from '../../src/cli/trust.js'
import { testDatabases } from '../support/databases.js'
import { runCommands, type RunResult } from '../support/fake-http.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

const run = (args: string[], stdin = ''): Promise<RunResult> => runCommands(registerTrustCommands, args, stdin)

const [sqlite] = testDatabases()

describe('jwt-bearer-grant CLI commands', () => {
  let running: SocketServer
  let dir: string
  let jwkFile: string
  let privateFile: string
  let ep: string[]

  beforeAll(async () => {
    running = await startSocketServer(sqlite!, {}, { mode: 'admin' })
    ep = ['--endpoint', running.adminUrl]
    dir = await mkdtemp(join(tmpdir(), 'orthrus-trust-'))
    const pair = await generateKeyPair('ES256', { extractable: true })
    jwkFile = join(dir, 'key.json')
    await writeFile(jwkFile, JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'cli-key', alg: 'ES256' }] }))
    privateFile = join(dir, 'private.json')
    await writeFile(privateFile, JSON.stringify({ ...(await exportJWK(pair.privateKey)), kid: 'cli-key', alg: 'ES256' }))
  })
  afterAll(async () => {
    await running.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates, gets, lists and deletes trust relationships', async () => {
    const created = await run([
      'create', 'jwt-bearer-grant', ...ep, '--format', 'json',
      '--issuer', 'https://cli-idp.example', '--subject', 'alice', '--scope', 'read,write', '--scope', 'extra',
      '--jwk', jwkFile, '--expires-at', '2099-01-01T00:00:00Z',
    ])
    expect(created.code, created.stderr).toBe(0)
    const item = JSON.parse(created.stdout) as { id: string; scope: string[]; public_key: { kid: string } }
    expect(item).toMatchObject({ issuer: 'https://cli-idp.example', subject: 'alice', scope: ['read', 'write', 'extra'], public_key: { kid: 'cli-key' } })

    const any = await run([
      'create', 'jwt-bearer-grant', ...ep,
      '--issuer', 'https://cli-any.example', '--allow-any-subject', '--jwk', jwkFile, '--expires-at', '2099-01-01T00:00:00Z',
    ])
    expect(any.code, any.stderr).toBe(0)
    // The one-item table: KEY VALUE rows.
    expect(any.stdout).toMatch(/^ID\s+[0-9a-f-]{36}$/m)
    expect(any.stdout).toMatch(/^ISSUER\s+https:\/\/cli-any\.example$/m)
    expect(any.stdout).toMatch(/^SUBJECT\s+\*$/m)
    const anyId = /^ID\s+(\S+)$/m.exec(any.stdout)?.[1] as string

    const got = await run(['get', 'jwt-bearer-grant', ...ep, item.id, '--format', 'jsonpath={.issuer}'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout.trim()).toBe('https://cli-idp.example')

    const table = await run(['list', 'jwt-bearer-grants', ...ep])
    expect(table.code, table.stderr).toBe(0)
    const [header, ...rows] = table.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^ID\s+ISSUER\s+SUBJECT\s+SCOPE\s+KEY SET\s+KEY ID\s+EXPIRES AT\s+CREATED AT$/)
    expect(rows).toHaveLength(2)
    expect(table.stdout).toContain('read, write, extra')

    const paged = await run(['list', 'jwt-bearer-grants', ...ep, '--page-size', '1', '--format', 'json'])
    const page = JSON.parse(paged.stdout) as { items: unknown[]; next_page_token: string }
    expect(page.items).toHaveLength(1)
    expect(page.next_page_token).not.toBe('')
    const next = await run(['list', 'jwt-bearer-grants', ...ep, '--page-size', '1', '--page-token', page.next_page_token, '--format', 'json'])
    expect((JSON.parse(next.stdout) as { items: unknown[]; next_page_token: string }).next_page_token).toBe('')

    const byIssuer = await run(['list', 'jwt-bearer-grants', ...ep, '--issuer', 'https://cli-any.example', '--format', 'json'])
    expect((JSON.parse(byIssuer.stdout) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([anyId])

    const del = await run(['delete', 'jwt-bearer-grant', ...ep, item.id, anyId])
    expect(del.code, del.stderr).toBe(0)
    expect(del.stdout.trim().split('\n')).toEqual([item.id, anyId])
    const missing = await run(['get', 'jwt-bearer-grant', ...ep, item.id])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('404')
    const delAgain = await run(['delete', 'jwt-bearer-grant', ...ep, item.id])
    expect(delAgain.code).not.toBe(0)
    expect(delAgain.stderr).toContain(`could not delete trust relationship ${item.id}`)
  })

  it('refuses bad flags and shows server errors', async () => {
    const base = ['create', 'jwt-bearer-grant', ...ep, '--issuer', 'https://x.example', '--jwk', jwkFile, '--expires-at', '2099-01-01T00:00:00Z']
    const neither = await run(base)
    expect(neither.code).not.toBe(0)
    expect(neither.stderr).toContain('--subject <subject> or --allow-any-subject')
    const both = await run([...base, '--subject', 'a', '--allow-any-subject'])
    expect(both.stderr).toContain('exclude each other')
    const badTime = await run(['create', 'jwt-bearer-grant', ...ep, '--issuer', 'https://x.example', '--subject', 'a', '--jwk', jwkFile, '--expires-at', 'soon'])
    expect(badTime.stderr).toContain('RFC 3339')
    const priv = await run(['create', 'jwt-bearer-grant', ...ep, '--issuer', 'https://x.example', '--subject', 'a', '--jwk', privateFile, '--expires-at', '2099-01-01T00:00:00Z'])
    expect(priv.code).not.toBe(0)
    expect(priv.stderr).toMatch(/400 invalid_request: .*private members/)
    const noFile = await run([...base.slice(0, -4), '--subject', 'a', '--jwk', join(dir, 'nope.json'), '--expires-at', '2099-01-01T00:00:00Z'])
    expect(noFile.stderr).toContain('cannot read')
    const stdin = await run(
      ['create', 'jwt-bearer-grant', ...ep, '--issuer', 'https://stdin.example', '--subject', 'a', '--jwk', '-', '--expires-at', '2099-01-01T00:00:00Z', '--format', 'json'],
      JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 's' }),
    )
    expect(stdin.code, stdin.stderr).toBe(0)
    expect(JSON.parse(stdin.stdout)).toMatchObject({ issuer: 'https://stdin.example', public_key: { kid: 's' } })
  })

  it('is registered in the program', async () => {
    const { buildProgram } = await import('../../src/cli/program.js')
    const program = await buildProgram()
    for (const verbName of ['create', 'get', 'list', 'delete']) {
      const v = program.commands.find((c) => c.name() === verbName)
      const names = v?.commands.flatMap((c) => [c.name(), ...c.aliases()]) ?? []
      expect(names).toContain(verbName === 'list' ? 'jwt-bearer-grants' : 'jwt-bearer-grant')
    }
  })
})
