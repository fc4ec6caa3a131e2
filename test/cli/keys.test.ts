import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, generateSecret } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { registerKeyCommands } from '../../src/cli/keys.js'
import type { Registry } from '../../src/registry.js'
import { runCli } from '../support/cli.js'
import { testDatabases } from '../support/databases.js'
import { runCommands, type RunResult } from '../support/fake-http.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

const run = (args: string[], stdin = ''): Promise<RunResult> => runCommands(registerKeyCommands, args, stdin)

const lines = (text: string): string[] => text.trimEnd().split('\n')
const privateJwk = async (alg: 'ES256' | 'RS256', extra: Record<string, unknown> = {}) => ({
  ...(await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)),
  ...extra,
})

// The SQLite in-memory database, as every other CLI test here.
const [sqlite] = testDatabases()

let registry: Registry
let running: SocketServer
let dir: string
const ep = (): string[] => ['--endpoint', running.adminUrl]

beforeAll(async () => {
  running = await startSocketServer(sqlite!, {}, { mode: 'admin' })
  registry = running.registry
  dir = await mkdtemp(join(tmpdir(), 'orthrus-jwk-cli-'))
})
afterAll(async () => {
  await running.close()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => {
  for (const name of ['ORY_SDK_URL', 'HYDRA_ADMIN_URL', 'HYDRA_PUBLIC_URL']) vi.stubEnv(name, '')
})
afterEach(() => vi.unstubAllEnvs())

describe('create jwk', () => {
  it('generates a key and prints SET ID / KEY ID / ALGORITHM / USE', async () => {
    const r = await run(['create', 'jwk', 'cli-set', 'my-kid', ...ep(), '--alg', 'ES256'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual(['SET ID    KEY ID   ALGORITHM   USE', 'cli-set   my-kid   ES256       sig'])
  })

  it('takes --kid and --use, defaults to RS256, and answers with the key set in JSON', async () => {
    const r = await run(['create', 'jwks', 'cli-set', ...ep(), '--kid', 'enc-key', '--use', 'enc', '--format', 'json'])
    expect(r.code).toBe(0)
    const body = JSON.parse(r.stdout)
    expect(body.keys).toHaveLength(1)
    expect(body.keys[0]).toMatchObject({ kid: 'enc-key', alg: 'RS256', use: 'enc', kty: 'RSA' })
    expect(body.keys[0].d).toBeTypeOf('string')
  })

  it('--public leaves the private members out', async () => {
    const r = await run(['create', 'jwk', 'cli-pub', ...ep(), '--alg', 'EdDSA', '--public', '--format', 'json'])
    const [key] = JSON.parse(r.stdout).keys
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
    expect(key).not.toHaveProperty('d')
  })

  it('refuses unknown algorithms before sending anything, and server errors in one line', async () => {
    const bad = await run(['create', 'jwk', 'x', ...ep(), '--alg', 'RS1024'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('RS1024')
    const taken = await run(['create', 'jwk', 'cli-set', 'my-kid', ...ep(), '--alg', 'ES256'])
    expect(taken.code).toBe(1)
    expect(lines(taken.stderr)).toHaveLength(1)
    expect(taken.stderr).toMatch(/^Error: 409 /)
    const both = await run(['create', 'jwk', 'x', 'a', '--kid', 'b', ...ep()])
    expect(both.code).toBe(1)
    expect(both.stderr).toContain('two different key ids')
  })
})

describe('get jwk', () => {
  it('shows the keys of several sets in one table, newest first', async () => {
    const r = await run(['get', 'jwk', 'cli-set', 'cli-pub', ...ep()])
    expect(r.code).toBe(0)
    const rows = lines(r.stdout)
    expect(rows[0]).toMatch(/^SET ID\s+KEY ID\s+ALGORITHM\s+USE$/)
    expect(rows.slice(1).map((l) => l.split(/\s+/).slice(0, 1)[0])).toEqual(['cli-set', 'cli-set', 'cli-pub'])
    expect(rows[1]).toMatch(/^cli-set\s+enc-key\s+RS256\s+enc$/)
    expect(rows[2]).toMatch(/^cli-set\s+my-kid\s+ES256\s+sig$/)
  })

  it('prints one JWK Set in JSON and YAML, and public halves with --public', async () => {
    const json = JSON.parse((await run(['get', 'jwk', 'cli-set', ...ep(), '--format', 'json', '--public'])).stdout)
    expect(json.keys.map((k: { kid: string }) => k.kid)).toEqual(['enc-key', 'my-kid'])
    for (const k of json.keys) for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(m)
    const yaml = await run(['get', 'jwk', 'cli-set', ...ep(), '--format', 'yaml'])
    expect(yaml.stdout).toContain('kid: my-kid')
    const path = await run(['get', 'jwk', 'cli-set', ...ep(), '--format', 'jsonpath={.keys[*].kid}'])
    expect(path.stdout).toBe('enc-key my-kid\n')
  })

  it('fails with one line for an unknown set', async () => {
    const r = await run(['get', 'jwk', 'no-such-set', ...ep()])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Error: 404 Unable to locate the resource: The JSON Web Key Set "no-such-set" does not exist.\n')
  })
})

describe('import jwk', () => {
  it('adds keys from JWK and JWK Set files, filling in what they lack', async () => {
    const single = join(dir, 'single.json')
    const set = join(dir, 'set.json')
    await writeFile(single, JSON.stringify(await privateJwk('ES256', { alg: 'ES256' })))
    const hmac = await exportJWK(await generateSecret('HS256', { extractable: true }))
    await writeFile(set, JSON.stringify({ keys: [await privateJwk('RS256', { kid: 'rsa', use: 'enc' }), { ...hmac, kid: 'mac', alg: 'HS256' }] }))
    const r = await run(['import', 'jwk', 'imported', single, set, ...ep(), '--default-key-id', 'from-flag', '--alg', 'RS256'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(lines(r.stdout).slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['imported', 'from-flag', 'ES256', 'sig'],
      ['imported', 'rsa', 'RS256', 'enc'],
      ['imported', 'mac', 'HS256', 'sig'],
    ])
    const stored = await registry.keys.getSet('imported')
    expect(stored.map((k) => k.kid).sort()).toEqual(['from-flag', 'mac', 'rsa'])
  })

  it('reads stdin, reports each rejected key and exits 1', async () => {
    const good = await privateJwk('ES256', { kid: 'ok', alg: 'ES256' })
    const bad = { ...(await privateJwk('ES256')), kid: 'bad', alg: 'ES512' }
    const r = await run(['import', 'jwk', 'stdin-set', '-', ...ep()], JSON.stringify({ keys: [good, bad] }))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: could not import key 2 of stdin: 400 invalid_request: .*P-521/)
    expect(lines(r.stdout)[1]).toMatch(/^stdin-set\s+ok\s+ES256\s+sig$/)
  })

  it('checks every file before sending anything', async () => {
    const notKey = join(dir, 'not-a-key.json')
    await writeFile(notKey, '{"hello":"world"}')
    const r = await run(['import', 'jwk', 'never', notKey, ...ep()])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('neither a JSON Web Key')
    const twoAnonymous = join(dir, 'two.json')
    await writeFile(twoAnonymous, JSON.stringify({ keys: [await privateJwk('ES256'), await privateJwk('ES256')] }))
    const clash = await run(['import', 'jwk', 'never', twoAnonymous, ...ep(), '--default-key-id', 'x', '--alg', 'ES256'])
    expect(clash.stderr).toContain('--default-key-id can name only one key')
    expect((await run(['import', 'jwk', 'never', join(dir, 'missing.json'), ...ep()])).stderr).toContain('cannot read')
    await expect(registry.keys.getSet('never')).resolves.toEqual([])
  })
})

describe('delete jwk', () => {
  it('deletes sets; an unknown set is deleted already (204, as Hydra answers)', async () => {
    const r = await run(['delete', 'jwk', 'cli-pub', 'no-such-set', 'imported', ...ep()])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('cli-pub\nno-such-set\nimported\n')
    expect(r.stderr).toBe('')
    await expect(registry.keys.getSet('cli-pub')).resolves.toEqual([])
  })
})

describe('the orthrus binary', () => {
  it('knows the jwk commands', async () => {
    const created = await runCli(['create', 'jwk', 'binary-set', '--alg', 'ES512', ...ep()])
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/binary-set\s+[0-9a-f-]{36}\s+ES512\s+sig/)
    const deleted = await runCli(['delete', 'jwks', 'binary-set', ...ep(), '--format', 'json'])
    expect(JSON.parse(deleted.stdout)).toEqual(['binary-set'])
  })
})
