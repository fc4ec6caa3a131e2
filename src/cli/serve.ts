import { availableParallelism } from 'node:os'
import { InvalidArgumentError, type Command } from 'commander'
import type { Config } from '../config/types.js'
import type { Logger } from '../logging.js'
import type { ServeMode } from '../server.js'
import { fail } from './fail.js'
import { tuneHeapForServing } from './heap.js'
import { checkPortsFree } from './ports.js'

interface ServeOptions {
  config?: string[]
  dev?: boolean
  sqaOptOut?: boolean
  workers?: string
}

/** serve.workers as a process count: `auto` is one per CPU the process may use. */
export function workerCount(workers: Config['serve']['workers'], cpus = availableParallelism()): number {
  return workers === 'auto' ? Math.max(1, cpus) : workers
}

function parseWorkers(value: string): string {
  if (value === 'auto' || /^[1-9]\d*$/.test(value)) return value
  throw new InvalidArgumentError('expected a number of processes (1, 2, ...) or auto')
}

async function serve(mode: ServeMode, opts: ServeOptions): Promise<void> {
  tuneHeapForServing()
  // Loaded here, not at the top: client commands should not pay for the server's modules.
  const [{ loadConfig, NO_SECRET_WARNING }, { createLogger }, { clusterWorkerId }] = await Promise.all([
    import('../config/loader.js'),
    import('../logging.js'),
    import('../cluster/worker.js'),
  ])
  const files = opts.config ?? []
  if (files.length > 1) fail('only one --config file is supported')
  const { config, warnings, notices } = loadConfig({
    ...(files[0] ? { file: files[0] } : {}),
    env: process.env,
    dev: opts.dev === true,
    keepDevSecret: true,
    overrides: { 'serve.workers': opts.workers },
  })
  const workerId = clusterWorkerId()
  if (workerId !== undefined) {
    // The primary already reported the configuration warnings; lines from here say which worker.
    return serveRequests(mode, config, createLogger(config.log).child({ worker: workerId }), true)
  }
  await checkPortsFree(config.serve, mode)
  const logger = createLogger(config.log)
  for (const n of notices) logger.info(n)
  for (const w of warnings) logger.warn(w)
  if (config.dev) {
    logger.warn('RUNNING IN DEVELOPMENT MODE (--dev): plain HTTP and relaxed checks are allowed. Never use --dev in production.')
  }
  const workers = workerCount(config.serve.workers)
  if (workers === 1) return serveRequests(mode, config, logger, false)

  const { parseDsn } = await import('../persistence/dsn.js')
  const target = parseDsn(config.dsn)
  if (target.dialect === 'sqlite' && target.filename === ':memory:') {
    fail(`serve.workers = ${workers} needs a database the workers share; an in-memory SQLite database lives inside one process (set DSN to a file or a server)`)
  }
  const { runPrimary } = await import('../cluster/primary.js')
  // A generated development secret must be the same in every worker, or none could open what
  // another sealed.
  const env: Record<string, string> = warnings.includes(NO_SECRET_WARNING) ? { SECRETS_SYSTEM: config.secrets.system.join(',') } : {}
  logger.info({ workers, mode }, 'starting worker processes')
  process.exit(await runPrimary({ workers, logger, env }))
}

/** One process serving the listeners: the whole server, or one worker of a cluster. */
async function serveRequests(mode: ServeMode, config: Readonly<Config>, logger: Logger, inCluster: boolean): Promise<void> {
  const [{ createRegistry }, { startServer }, { startProfiling }] = await Promise.all([
    import('../registry.js'),
    import('../server.js'),
    import('./profiling.js'),
  ])
  // As Hydra: profiling covers the whole run of the serving process and is written when it stops.
  const profile = config.profiling ? await startProfiling(config.profiling) : undefined
  if (profile) logger.info({ path: profile.path }, `profile: ${config.profiling ?? ''} profiling enabled, written on shutdown`)
  const cluster = inCluster ? await import('../cluster/metrics-gatherer.js') : undefined
  const registry = await createRegistry(config, {
    logger,
    ...(cluster ? { metricsGatherer: cluster.clusterMetricsGatherer() } : {}),
  })
  const server = await startServer(registry, mode)
  for (const [name, url] of Object.entries(server.urls)) {
    const address = server.addresses[name as keyof typeof server.addresses] ?? url
    logger.info({ listener: name, url, address }, `${name} listener started on ${address}`)
  }
  if (inCluster) (await import('../cluster/worker.js')).announceReady()

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    server.close().then(
      async () => {
        if (profile) {
          try {
            logger.info({ path: await profile.stop() }, `profile: ${config.profiling ?? ''} profiling disabled, profile written`)
          } catch (e) {
            logger.error({ path: profile.path, err: e instanceof Error ? e.message : String(e) }, 'profile: the profile could not be written')
          }
        }
        logger.info('shutdown complete')
        process.exit(0)
      },
      (e: unknown) => {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  // Alone, a second signal ends the process at once. A worker keeps draining instead: the
  // primary forwards the signal it got, and a service manager may signal every process of the
  // group as well; a second signal to the primary ends it, and with it every worker.
  const on = inCluster ? process.on.bind(process) : process.once.bind(process)
  on('SIGTERM', () => stop('SIGTERM'))
  on('SIGINT', () => stop('SIGINT'))
}

export function registerServeCommand(program: Command): void {
  const cmd = program.command('serve').description('Run the HTTP listeners')
  const modes: Array<[ServeMode, string]> = [
    ['all', 'Serve the public (:4444) and admin (:4445) APIs together'],
    ['public', 'Serve only the public API (:4444)'],
    ['admin', 'Serve only the admin API (:4445)'],
  ]
  for (const [mode, description] of modes) {
    cmd
      .command(mode)
      .description(description)
      .option('-c, --config <file...>', 'Configuration file (YAML or JSON); environment variables override it')
      .option('--dev', 'Development mode: plain HTTP issuer, generated secret, auto-migration. Never in production.')
      .option('--workers <n|auto>', 'Processes serving the listeners (serve.workers, SERVE_WORKERS; default 1; auto: one per CPU)', parseWorkers)
      .option('--sqa-opt-out', 'Accepted for compatibility; Orthrus sends no usage data anyway')
      .action(async (opts: ServeOptions) => {
        try {
          await serve(mode, opts)
        } catch (e) {
          fail(e)
        }
      })
  }
}
