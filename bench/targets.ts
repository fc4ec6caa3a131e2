// The servers the benchmark drives, each in its own child process on 127.0.0.1: the reference
// points (the lean stack, oidc-provider, the bare-Fastify ceiling) here, Orthrus in orthrus.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Control } from './control.js'
import { announcement, cleanEnv, freePort, startChild, waitForOutput, type Child } from './process.js'
import { processTree, rssMB } from './proc.js'

const HERE = dirname(fileURLToPath(import.meta.url))
/** The project checkout (dist-bench/ sits directly in it). */
export const PROJECT_ROOT = join(HERE, '..')
/** The reference implementation of "the limit of this stack", next to the checkout when present. */
export const LEAN_STACK = join(PROJECT_ROOT, '..', 'shared', 'bench', 'lean-stack.mjs')

/** One POST the load generator repeats. */
export interface Request {
  url: string
  headers: Record<string, string>
  body: string
}

export interface Target {
  /** Short id, as BENCH_ONLY names it. */
  key: string
  name: string
  /** The process the benchmark started (a cluster's primary). */
  pid: number
  token: Request
  /** The introspection request for a token this target issued. */
  introspect(accessToken: string): Request
  /** Command names of the database server's processes on this machine, whose CPU counts too. */
  databaseServer?: readonly string[]
  /** Orthrus processes run with instrument.ts: round trips and profiles. */
  control?: Control
  /** Whether the database is a server whose round trips are counted. */
  countsRoundTrips?: boolean
  /** The admin API, for the CLI start-up timing. */
  adminUrl?: string
  /** Resident memory after start-up, before any load (MB). */
  idleRssMB?: number
  stop(): Promise<void>
}

/** The target's process and everything below it (cluster workers). */
export const targetPids = (t: Pick<Target, 'pid'>): number[] => processTree(t.pid)

/** Resident memory of a started target once its start-up has settled, before any load (MB). */
export async function idleRss(pid: number): Promise<number | undefined> {
  await new Promise((r) => setTimeout(r, 1000))
  return rssMB(processTree(pid))
}

const FORM = 'application/x-www-form-urlencoded'

/** RFC 6749 §2.3.1 client_secret_basic. */
export function basic(id: string, secret: string): string {
  const enc = (v: string): string => new URLSearchParams([['', v]]).toString().slice(1)
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`
}

export const tokenRequest = (url: string, authorization: string): Request => ({
  url,
  headers: { authorization, 'content-type': FORM },
  body: 'grant_type=client_credentials',
})

export const introspectRequest = (url: string, token: string, authorization?: string): Request => ({
  url,
  headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) },
  body: new URLSearchParams({ token }).toString(),
})

async function started(child: Child, make: () => Promise<Omit<Target, 'pid' | 'stop'>>, cleanup?: () => void): Promise<Target> {
  const stop = async (): Promise<void> => {
    await child.stop()
    cleanup?.()
  }
  try {
    const target = await make()
    const idle = await idleRss(child.pid)
    return { ...target, pid: child.pid, ...(idle !== undefined ? { idleRssMB: idle } : {}), stop }
  } catch (e) {
    await stop()
    throw e
  }
}

/**
 * ../shared/bench/lean-stack.mjs: Fastify + better-sqlite3 doing only the essential work of the
 * two hot paths. Run from the project root (it resolves the project's own packages); undefined
 * when the reference is not next to this checkout.
 */
export async function startLeanStack(): Promise<Target | undefined> {
  if (!existsSync(LEAN_STACK)) return undefined
  const port = await freePort()
  // It keeps its database in the temporary folder: give it one the benchmark removes.
  const tmp = mkdtempSync(join(tmpdir(), 'orthrus-bench-lean-'))
  const child = startChild(LEAN_STACK, [], cleanEnv({ PORT: String(port), TMPDIR: tmp }), { cwd: PROJECT_ROOT })
  const url = `http://127.0.0.1:${port}`
  return started(
    child,
    async () => {
      await waitForOutput(child, 'lean ready', 30_000)
      return {
        key: 'lean',
        name: 'lean stack',
        token: tokenRequest(`${url}/oauth2/token`, basic('lean', 'lean-secret')),
        introspect: (token) => introspectRequest(`${url}/admin/oauth2/introspect`, token),
      }
    },
    () => rmSync(tmp, { recursive: true, force: true }),
  )
}

export async function startCeiling(): Promise<Target> {
  const child = startChild(join(HERE, 'ceiling.js'), [], cleanEnv({}))
  return started(child, async () => {
    const { url } = await announcement(child)
    return {
      key: 'ceiling',
      name: 'Fastify ceiling',
      token: tokenRequest(`${url}/oauth2/token`, basic('ceiling', 'ceiling-secret')),
      introspect: (token) => introspectRequest(`${url}/admin/oauth2/introspect`, token),
    }
  })
}

export async function startOidcProvider(): Promise<Target> {
  const child = startChild(join(HERE, 'oidc-provider.js'), [], cleanEnv({}))
  return started(child, async () => {
    const { url, clientId = '', clientSecret = '' } = await announcement(child)
    const auth = basic(clientId, clientSecret)
    return {
      key: 'oidc-provider',
      name: 'oidc-provider',
      token: tokenRequest(`${url}/token`, auth),
      // oidc-provider authenticates the caller of its introspection endpoint too.
      introspect: (token) => introspectRequest(`${url}/token/introspection`, token, auth),
    }
  })
}
