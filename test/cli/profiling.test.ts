// profiling: cpu | mem. In-process: the inspector's profilers produce files Chrome DevTools reads.
// Through the built binary: PROFILING=cpu writes $TMPDIR/profile<random>/cpu.cpuprofile when the
// server stops, as Hydra's pkg/profile writes cpu.pprof there.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startProfiling } from '../../src/cli/profiling.js'
import { startServerProcess } from '../support/cli.js'
import { TEST_SECRET } from '../support/app.js'

const dir = mkdtempSync(join(tmpdir(), 'orthrus-profiling-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('profiles of the running process', () => {
  it('cpu: a V8 CPU profile with nodes and samples', async () => {
    const profile = await startProfiling('cpu', dir)
    let x = 0
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i)
    expect(x).toBeGreaterThan(0)
    const path = await profile.stop()
    expect(path).toBe(join(dir, 'cpu.cpuprofile'))
    const written = JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[]; samples: unknown[]; startTime: number; endTime: number }
    expect(written.nodes.length).toBeGreaterThan(0)
    expect(written.endTime).toBeGreaterThan(written.startTime)
  })

  it('mem: a sampling heap profile', async () => {
    const profile = await startProfiling('mem', dir)
    const kept = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `item-${i}` }))
    const written = JSON.parse(readFileSync(await profile.stop(), 'utf8')) as { head: { children: unknown[] }; samples: unknown[] }
    expect(kept).toHaveLength(20_000)
    expect(written.head.children.length).toBeGreaterThan(0)
    expect(written.samples.length).toBeGreaterThan(0)
  })
})

describe('PROFILING=cpu on serve', () => {
  it('writes the profile into a fresh profile directory under TMPDIR when the server stops', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'))
    const server = await startServerProcess(['--dev'], { SECRETS_SYSTEM: TEST_SECRET, DSN: 'memory', PROFILING: 'cpu', TMPDIR: tmp })
    await fetch(`${server.publicUrl}/.well-known/openid-configuration`)
    expect(await server.stop()).toBe(0)
    const [profileDir] = readdirSync(tmp).filter((n) => n.startsWith('profile'))
    expect(profileDir).toBeDefined()
    const file = join(tmp, profileDir ?? '', 'cpu.cpuprofile')
    expect(existsSync(file)).toBe(true)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0)
    expect(server.logs()).toContain('profile: cpu profiling disabled, profile written')
  })
})
