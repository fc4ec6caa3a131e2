// The container packaging, checked statically (no Docker daemon is needed): the Dockerfile's
// stages and user, that everything it copies exists and passes .dockerignore, and that the compose
// example parses and only uses configuration this code base understands.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { loadConfig } from '../../src/config/loader.js'
import { KEY_BY_ENV, KEY_BY_PATH } from '../../src/config/schema.js'
import { parseDsn } from '../../src/persistence/dsn.js'
import { runCli } from '../support/cli.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const COMPOSE_DIR = join(ROOT, 'examples/docker-compose')

// ---- a small Dockerfile reader: instructions with continuations joined, comments dropped ----

interface Instruction {
  op: string
  args: string
}

interface Stage {
  image: string
  name?: string
  instructions: Instruction[]
}

function readDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines: string[] = []
  let current = ''
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue
    const continued = /\\\s*$/.test(raw)
    current += `${raw.replace(/\\\s*$/, '')} `
    if (!continued) {
      if (current.trim() !== '') lines.push(current.trim())
      current = ''
    }
  }
  const args = new Map<string, string>()
  const stages: Stage[] = []
  for (const line of lines) {
    const m = /^(\S+)\s+(.*)$/.exec(line)
    if (!m) continue
    const op = (m[1] as string).toUpperCase()
    const rest = (m[2] as string).replace(/\s+/g, ' ').trim()
    if (op === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)
      expect(from, line).not.toBeNull()
      const image = (from?.[1] as string).replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get(a ?? b ?? '') ?? '')
      stages.push({ image, ...(from?.[2] ? { name: from[2] } : {}), instructions: [] })
    } else if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=', 2)
      if (k && v !== undefined) args.set(k, v)
    } else {
      stages.at(-1)?.instructions.push({ op, args: rest })
    }
  }
  return { args, stages }
}

const all = (s: Stage, op: string): Instruction[] => s.instructions.filter((i) => i.op === op)
const jsonArray = (text: string): unknown => JSON.parse(text) as unknown

/** COPY's flags and operands: sources..., destination. */
function copyOperands(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(' ')
  const flags = words.filter((w) => w.startsWith('--'))
  const rest = words.filter((w) => !w.startsWith('--'))
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length)
  return { ...(from ? { from } : {}), sources: rest.slice(0, -1), dest: rest.at(-1) as string }
}

// ---- .dockerignore: patterns in order, `!` re-includes, the last match wins ----

function ignoreRules(text: string): Array<{ re: RegExp; include: boolean }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!')
      const pattern = (include ? l.slice(1) : l).replace(/^\/+|\/+$/g, '')
      const body = pattern
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*')
      return { re: new RegExp(`^${body}$`), include }
    })
}

/** True when `path` (relative to the context) is left out of the build context. */
function ignored(rules: ReturnType<typeof ignoreRules>, path: string): boolean {
  const parts = path.replace(/^\.\/|\/+$/g, '').split('/')
  // A pattern matching a parent directory also matches everything under it.
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let out = false
  for (const rule of rules) if (candidates.some((c) => rule.re.test(c))) out = !rule.include
  return out
}

describe('Dockerfile', () => {
  const { stages } = readDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
  const build = stages[0] as Stage
  const runtime = stages.at(-1) as Stage
  const rules = ignoreRules(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

  it('builds on an LTS Node on Debian 12 with a compiler, and runs on the same Node major on Debian 12', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    const major = /^node:(\d+)-bookworm-slim$/.exec(build.image)?.[1]
    expect(major, build.image).toBeDefined()
    // Even majors are the LTS lines; the image must be one package.json's engines accept.
    expect(Number(major) % 2).toBe(0)
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node
    const accepts = engines.split('||').some((range) => {
      const [, caret, atLeast] = /^\s*(?:\^(\d+)\.|>=(\d+))/.exec(range) ?? []
      return caret === major || (atLeast !== undefined && Number(atLeast) <= Number(major))
    })
    expect(accepts, `${engines} accepts Node ${major}`).toBe(true)
    expect(build.name).toBeTruthy()
    expect([`gcr.io/distroless/nodejs${major}-debian12`, build.image]).toContain(runtime.image)
    const runs = all(build, 'RUN').map((i) => i.args)
    const install = runs.find((r) => r.includes('apt-get install')) ?? ''
    for (const tool of ['python3', 'make', 'g++']) expect(install.split(' ')).toContain(tool)
  })

  it('installs exactly from the lock file, builds with the package script and drops dev dependencies', () => {
    const runs = all(build, 'RUN').map((i) => i.args).join(' && ')
    expect(runs).toMatch(/\bnpm ci\b/)
    expect(runs).toMatch(/\bnpm run build\b/)
    // tsc, then the admin console's bundle (console/build.mjs reads dist/ui/theme.js, so it runs second).
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.json && node console/build.mjs')
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/)
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run build'))
    expect(runs.indexOf('npm run build')).toBeLessThan(runs.indexOf('npm prune'))
  })

  it('runs as an unprivileged numeric user', () => {
    const users = all(runtime, 'USER').map((i) => i.args)
    expect(users.length).toBeGreaterThan(0)
    const last = users.at(-1) as string
    expect(last).toBe('10000:10000')
    expect(Number(last.split(':')[0])).toBeGreaterThan(0)
  })

  it('exposes the default ports and starts dist/main.js with serve all', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((i) => i.args.split(' ')).map(Number)
    expect(exposed).toEqual([KEY_BY_PATH.get('serve.public.port')?.default, KEY_BY_PATH.get('serve.admin.port')?.default])
    const entry = jsonArray(all(runtime, 'ENTRYPOINT').at(-1)?.args ?? 'null') as string[]
    expect(Array.isArray(entry)).toBe(true)
    expect(entry.at(-1)).toBe('dist/main.js')
    expect(entry[0]).toMatch(/(^|\/)node$/)
    // dist/main.js is what tsc makes of src/main.ts.
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } }
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' })
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true)
    expect(jsonArray(all(runtime, 'CMD').at(-1)?.args ?? 'null')).toEqual(['serve', 'all'])
    expect(all(runtime, 'WORKDIR').at(-1)?.args).toBe('/app')
  })

  it('has no HEALTHCHECK on the distroless runtime (no shell to run one) and says so', () => {
    if (runtime.image.includes('distroless')) {
      expect(all(runtime, 'HEALTHCHECK')).toHaveLength(0)
      expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/No HEALTHCHECK/)
    }
  })

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const copied: string[] = []
    for (const stage of stages) {
      for (const i of [...all(stage, 'COPY'), ...all(stage, 'ADD')]) {
        const { from, sources } = copyOperands(i.args)
        if (from !== undefined) continue
        for (const src of sources) {
          copied.push(src)
          expect(existsSync(join(ROOT, src)), `COPY ${src}`).toBe(true)
          expect(ignored(rules, src), `${src} is excluded by .dockerignore`).toBe(false)
          if (statSync(join(ROOT, src)).isDirectory()) expect(ignored(rules, `${src}/main.ts`)).toBe(false)
        }
      }
    }
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'console']))
    // What must never reach the image or the context upload.
    for (const out of ['node_modules', 'dist/main.js', '.git', 'orthrus.sqlite', 'test/ops/dockerfile.test.ts', '.env']) {
      expect(ignored(rules, out), `${out} should be ignored`).toBe(true)
    }
  })

  it('copies into the runtime only what the build stage made', () => {
    const workdir = all(build, 'WORKDIR').at(-1)?.args as string
    const buildRuns = all(build, 'RUN').map((i) => i.args).join(' ')
    const copiedInBuild = all(build, 'COPY').flatMap((i) => copyOperands(i.args).sources.map((s) => s.replace(/\/+$/, '')))
    const tsOut = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir
    const fromBuild = all(runtime, 'COPY').map((i) => copyOperands(i.args)).filter((c) => c.from === build.name)
    expect(fromBuild.length).toBeGreaterThan(0)
    for (const c of fromBuild) {
      for (const src of c.sources) {
        if (src.startsWith(`${workdir}/`)) {
          const top = src.slice(workdir.length + 1).split('/')[0] as string
          const made = copiedInBuild.includes(top) || (top === 'node_modules' && /npm ci/.test(buildRuns)) || top === tsOut
          expect(made, `${src} is not produced by the build stage`).toBe(true)
        } else {
          expect(buildRuns, `${src} is not created in the build stage`).toMatch(new RegExp(`mkdir -p ${src.replace(/[/.]/g, '\\$&')}\\b`))
        }
      }
    }
    // The runtime needs the compiled code, its production dependencies and package.json (version).
    const dests = fromBuild.map((c) => c.dest.replace(/^\.\//, ''))
    expect(dests).toEqual(expect.arrayContaining(['package.json', 'node_modules', 'dist']))
  })
})

// ---- docker compose example ----

interface ComposeService {
  image?: string
  build?: { context: string; dockerfile?: string }
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  depends_on?: Record<string, { condition: string }> | string[]
  healthcheck?: { test: string[] }
}

describe('examples/docker-compose', () => {
  const doc = parseYaml(readFileSync(join(COMPOSE_DIR, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>
  }
  const services = doc.services
  const orthrusServices = Object.entries(services).filter(([, s]) => s.image === 'orthrus:local')

  it('has PostgreSQL, a one-shot migration and the server, started in that order', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'migrate', 'orthrus', 'consent']))
    expect(services.postgres?.healthcheck?.test).toContain('pg_isready')
    expect(services.migrate?.command).toEqual(['migrate', 'sql', 'up', '-e', '--yes'])
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
    expect(services.orthrus?.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } })
    expect(services.orthrus?.command?.slice(0, 2)).toEqual(['serve', 'all'])
  })

  it('builds the image from the repository Dockerfile', () => {
    const built = orthrusServices.filter(([, s]) => s.build)
    expect(built).toHaveLength(1)
    const b = built[0]?.[1].build as { context: string; dockerfile?: string }
    expect(resolve(COMPOSE_DIR, b.context)).toBe(ROOT)
    expect(existsSync(join(ROOT, b.dockerfile ?? 'Dockerfile'))).toBe(true)
  })

  it('sets only environment variables that name configuration keys, with values the loader accepts', () => {
    expect(orthrusServices.length).toBe(2)
    for (const [name, s] of orthrusServices) {
      const env = s.environment ?? {}
      for (const key of Object.keys(env)) expect(KEY_BY_ENV.has(key), `${name}: ${key} is not a configuration key`).toBe(true)
      expect(parseDsn(env.DSN ?? '')).toMatchObject({ dialect: 'postgres' })
      expect(new URL((env.DSN ?? '').replace(/^postgres:/, 'http:')).hostname).toBe('postgres')
    }
    const env = services.orthrus?.environment ?? {}
    // The secret is never written into the file: compose refuses to start without it.
    expect(env.SECRETS_SYSTEM).toMatch(/^\$\{SECRETS_SYSTEM:\?[^}]+\}$/)
    const { config } = loadConfig({ dev: true, env: { ...env, SECRETS_SYSTEM: 'x'.repeat(32) } })
    expect(config.urls.self.issuer.replace(/\/$/, '')).toBe('http://127.0.0.1:4444')
    expect(config.dsn).toBe(env.DSN)
    // --dev alone binds 127.0.0.1, which inside the container the published ports cannot reach.
    expect([config.serve.public.host, config.serve.admin.host]).toEqual(['0.0.0.0', '0.0.0.0'])
  })

  it('publishes the public and admin ports on loopback only, and the login app where urls.login points', () => {
    expect(services.orthrus?.ports).toEqual(['127.0.0.1:4444:4444', '127.0.0.1:4445:4445'])
    const env = services.orthrus?.environment ?? {}
    const login = new URL(env.URLS_LOGIN ?? '')
    expect(services.consent?.ports).toContain(`127.0.0.1:${login.port}:${services.consent?.environment?.PORT}`)
    expect(services.consent?.environment?.ADMIN_URL).toBe('http://orthrus:4445')
    for (const v of services.consent?.volumes ?? []) expect(existsSync(resolve(COMPOSE_DIR, v.split(':')[0] as string)), v).toBe(true)
  })

  it("the migration service's command is one the CLI runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orthrus-compose-'))
    try {
      const res = await runCli(services.migrate?.command ?? [], { env: { DSN: `sqlite://${join(dir, 'm.sqlite')}` } })
      expect(res.code, res.stderr).toBe(0)
      const status = await runCli(['migrate', 'sql', 'status', `sqlite://${join(dir, 'm.sqlite')}`])
      expect(status.stdout).not.toMatch(/Pending/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
