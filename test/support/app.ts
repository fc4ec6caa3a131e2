import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config/loader.js'
import type { Config } from '../../src/config/types.js'
import { createAdminApp, type AdminAppOptions } from '../../src/http/admin.js'
import { createPublicApp } from '../../src/http/public.js'
import { createLogger } from '../../src/logging.js'
import { createRegistry, type Registry } from '../../src/registry.js'
import type { TestClock } from './clock.js'
import { checkInjectedAnswers } from './contract.js'
import type { TestDatabase } from './databases.js'

export const TEST_SECRET = 'a-test-system-secret-of-32-chars!'

/** Configuration for tests: dev mode, fast hashing, quiet logs, OS-chosen ports. */
export function testConfig(dsn: string, env: Record<string, string> = {}, opts: { dev?: boolean } = {}): Readonly<Config> {
  return loadConfig({
    dev: opts.dev ?? true,
    env: {
      DSN: dsn,
      SECRETS_SYSTEM: TEST_SECRET,
      OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      LOG_LEVEL: 'error',
      LOG_FORMAT: 'json',
      SERVE_PUBLIC_PORT: '0',
      SERVE_ADMIN_PORT: '0',
      SERVE_PUBLIC_HOST: '127.0.0.1',
      SERVE_ADMIN_HOST: '127.0.0.1',
      ...env,
    },
  }).config
}

export interface TestApps {
  registry: Registry
  admin: FastifyInstance
  public: FastifyInstance
  close(): Promise<void>
}

export interface AppsOptions {
  dev?: boolean
  /** Where the logger writes (default stderr). */
  logTo?: NodeJS.WritableStream
  /** Passed to createRegistry (tests that rotate keys turn the key cache off). */
  keyCacheTtlMs?: number
  /** Run by close() after the apps and the registry are closed (e.g. dropping the database). */
  drop?: () => Promise<void>
  /** Options of the admin app (where the console's files are, ...). */
  admin?: AdminAppOptions
  /** The registry's clock (test/support/clock.ts), for tests that advance time past an expiry. */
  clock?: TestClock
  /** A token hook's deadline in milliseconds (Hydra's 10 s otherwise). */
  tokenHookTimeoutMs?: number
}

/** Both apps built in-process (no sockets) over the database `dsn`, migrated on the way. */
export async function appsOn(dsn: string, env: Record<string, string> = {}, opts: AppsOptions = {}): Promise<TestApps> {
  const config = testConfig(dsn, env, { dev: opts.dev })
  const registry = await createRegistry(config, {
    logger: createLogger(config.log, opts.logTo),
    migrate: true,
    ...(opts.keyCacheTtlMs === undefined ? {} : { keyCacheTtlMs: opts.keyCacheTtlMs }),
    ...(opts.clock ? { now: opts.clock.now } : {}),
    ...(opts.tokenHookTimeoutMs === undefined ? {} : { tokenHookTimeoutMs: opts.tokenHookTimeoutMs }),
  })
  const admin = await createAdminApp(registry, opts.admin)
  const pub = await createPublicApp(registry)
  // Every JSON answer a test sees is checked against the wire contract (test/support/contract.ts).
  checkInjectedAnswers(admin)
  checkInjectedAnswers(pub)
  return {
    registry,
    admin,
    public: pub,
    async close() {
      await admin.close()
      await pub.close()
      await registry.close()
      await opts.drop?.()
    },
  }
}

/** A migrated database of the given kind with both apps built in-process (no sockets). */
export async function testApps(
  t: TestDatabase,
  env: Record<string, string> = {},
  opts: Omit<AppsOptions, 'drop'> = {},
): Promise<TestApps> {
  const { dsn, drop } = await t.create()
  return appsOn(dsn, env, { ...opts, drop })
}
