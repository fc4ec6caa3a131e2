// Runs the built CLI (dist/main.js) as a child process, as a user would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Environment for child processes: none of the developer's Orthrus/Hydra settings leak in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) env[k] = process.env[k]
  return { ...env, ...extra }
}

export interface CliOptions {
  env?: Record<string, string>
  input?: string
  cwd?: string
  /** Another entry point than this checkout's dist/main.js (e.g. an installed package's bin). */
  main?: string
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.main ?? MAIN, ...args], { env: cleanEnv(opts.env), cwd: opts.cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(opts.input ?? '')
  })
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams
  publicUrl: string
  adminUrl: string
  logs(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `orthrus serve all` with JSON logs on OS-chosen ports and waits for both listeners. */
export function startServerProcess(args: string[], env: Record<string, string>, cwd?: string, main = MAIN): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, 'serve', 'all', ...args], {
      env: cleanEnv({ SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0', SERVE_PUBLIC_HOST: '127.0.0.1', SERVE_ADMIN_HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env }),
      cwd,
    })
    let logs = ''
    const urls: Record<string, string> = {}
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start in time:\n${logs}`))
    }, 20_000)
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      logs += d.toString()
      for (const line of d.toString().split('\n')) {
        try {
          const entry = JSON.parse(line) as { listener?: string; url?: string }
          if (entry.listener && entry.url) urls[entry.listener] = entry.url
        } catch {
          // not a JSON line
        }
      }
      if (urls.public && urls.admin) {
        clearTimeout(timer)
        resolve({
          child,
          publicUrl: urls.public,
          adminUrl: urls.admin,
          logs: () => logs,
          async stop(signal = 'SIGTERM') {
            child.kill(signal)
            return exited
          },
        })
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before it was ready:\n${logs}`))
    })
  })
}
