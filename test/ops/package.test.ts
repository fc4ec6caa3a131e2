// `npm pack` makes a package that installs into an empty folder and runs: the server in --dev and
// the CLI, with nothing of the sources or the dev dependencies. Offline: the npm cache (filled by
// the project's own `npm ci`) holds the dependencies' tarballs but no registry metadata, so the
// empty folder's install is pinned by a lock made from the project's lock file, the tree the
// tests ran on. better-sqlite3's native addon is the one `npm ci` compiled here, offered to its
// installer as a local prebuild (prebuild-install's offline mechanism), so it is not compiled again.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, runCli, startServerProcess, type ServerProcess } from '../support/cli.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const run = promisify(execFile)

interface LockEntry {
  version?: string
  dev?: boolean
  [key: string]: unknown
}
interface Manifest {
  name: string
  version: string
  license: string
  bin: Record<string, string>
  engines: Record<string, string>
  dependencies: Record<string, string>
  overrides?: Record<string, string>
  allowScripts?: Record<string, boolean>
}

const npmEnv = (): NodeJS.ProcessEnv => cleanEnv(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {})
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 })

/** package.json and package-lock.json of an app that depends on the tarball only. */
function appFiles(tarball: string): { manifest: object; lock: object } {
  const project = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest
  const projectLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const spec = `file:${tarball}`
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
  const manifest = {
    name: 'orthrus-install-check',
    private: true,
    dependencies: { [project.name]: spec },
    // What the project's own install applies; a user's app would carry the same lines.
    ...(project.overrides ? { overrides: project.overrides } : {}),
    ...(project.allowScripts ? { allowScripts: project.allowScripts } : {}),
  }
  const packages: Record<string, unknown> = {
    '': { name: manifest.name, dependencies: manifest.dependencies },
    [`node_modules/${project.name}`]: {
      version: project.version,
      resolved: spec,
      integrity,
      license: project.license,
      dependencies: project.dependencies,
      bin: project.bin,
      engines: project.engines,
    },
  }
  for (const [path, entry] of Object.entries(projectLock.packages)) if (path !== '' && !entry.dev) packages[path] = entry
  return { manifest, lock: { name: manifest.name, lockfileVersion: 3, requires: true, packages } }
}

describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'orthrus-package-'))
  const app = join(work, 'app')
  const bin = join(app, 'node_modules', '.bin', 'orthrus')
  let files: string[] = []
  let installLog = ''
  let server: ServerProcess | undefined
  const started = Date.now()

  beforeAll(async () => {
    // dist/ is built by `npm test`; the pack scripts would rebuild it under the other tests' feet.
    expect(existsSync(join(ROOT, 'dist', 'main.js')), 'run npm run build first').toBe(true)
    const packed = await npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT)
    const tarball = join(work, packed.stdout.trim().split('\n').at(-1) ?? '')
    files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n')

    const sqlite = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }
    const staged = join(work, 'prebuild')
    mkdirSync(join(staged, 'build', 'Release'), { recursive: true })
    writeFileSync(join(staged, 'build/Release/better_sqlite3.node'), readFileSync(join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')))
    const prebuilds = join(work, 'prebuilds')
    mkdirSync(prebuilds)
    const libc = process.platform === 'linux' && !(process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime ? 'musl' : ''
    const name = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`
    await run('tar', ['-C', staged, '-czf', join(prebuilds, name), 'build'])

    mkdirSync(app)
    const { manifest, lock } = appFiles(tarball)
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`)
    // Read by prebuild-install (rc) from the installing package's parent folders.
    writeFileSync(join(app, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`)
    const installed = await npm(['ci', '--offline', '--no-audit', '--no-fund'], app)
    installLog = installed.stdout + installed.stderr
  }, 600_000)

  afterAll(async () => {
    await server?.stop()
    rmSync(work, { recursive: true, force: true })
    process.stdout.write(`package test: pack, offline install and checks took ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  })

  it('holds the compiled JavaScript, the built admin console, package.json and README, nothing else', () => {
    expect(files).toContain('package/dist/main.js')
    expect(files).toContain('package/dist/console/index.html')
    for (const file of files) {
      expect(file, file).toMatch(/^package\/(package\.json|README\.md|dist\/.+\.js|dist\/console\/.+)$/)
    }
  })

  it('installs without warnings, without dev dependencies and without compiling', () => {
    expect(installLog).not.toMatch(/\bwarn\b/i)
    const modules = join(app, 'node_modules')
    for (const dev of ['typescript', 'vitest', 'eslint', 'typescript-eslint', 'openid-client', 'playwright-core', 'autocannon']) {
      expect(existsSync(join(modules, dev)), dev).toBe(false)
    }
    expect(existsSync(join(modules, 'orthrus', 'src'))).toBe(false)
    expect(existsSync(join(modules, 'better-sqlite3', 'build', 'Release', 'obj'))).toBe(false)
  })

  it('runs `orthrus serve all --dev` and the CLI from the installed package', async () => {
    const cli = (args: string[]) => runCli(args, { main: bin, cwd: app })
    const version = await cli(['--version'])
    expect(version.stdout).toMatch(/^Version: {4}v\d+\.\d+\.\d+\n$/)

    server = await startServerProcess(['--dev'], { OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000' }, app, bin)
    const created = await cli(['create', 'oauth2-client', '--endpoint', server.adminUrl, '--grant-type', 'client_credentials', '--format', 'json'])
    expect(created.stderr).toBe('')
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
    const listed = await cli(['list', 'oauth2-clients', '--endpoint', server.adminUrl])
    expect(listed.stdout).toContain(client.client_id)
    const issued = await cli(['perform', 'client-credentials', '--client-id', client.client_id, '--client-secret', client.client_secret, '--endpoint', server.publicUrl, '--format', 'json'])
    const token = (JSON.parse(issued.stdout) as { access_token: string }).access_token
    const active = await cli(['introspect', 'token', token, '--endpoint', server.adminUrl, '--format', 'jsonpath={.active}'])
    expect(active.stdout).toBe('true\n')
    expect((await cli(['delete', 'access-tokens', client.client_id, '--endpoint', server.adminUrl])).code).toBe(0)
    expect((await cli(['create', 'jwk', 'extra', '--alg', 'ES256', '--endpoint', server.adminUrl])).code).toBe(0)
    expect((await cli(['completion', 'bash'])).stdout).toContain('complete -o default -F _orthrus orthrus')
    const console = await fetch(`${server.adminUrl}/console/`)
    expect(console.status).toBe(200)
    expect(await console.text()).toMatch(/<script type="module" src="\/console\/assets\/[^"]+\.js"/)

    const dsn = `sqlite://${join(app, 'orthrus.sqlite')}`
    const status = await cli(['migrate', 'sql', 'status', dsn])
    expect(status.stdout).toMatch(/0001_networks\s+Applied/)
    const janitor = await cli(['janitor', dsn, '--tokens'])
    expect(janitor.code, janitor.stderr).toBe(0)
  }, 120_000)
})
