import type { Command } from 'commander'
import type { ServeMode } from '../server.js'
import { fail } from './fail.js'
import { tuneHeapForServing } from './heap.js'
import { checkPortsFree } from './ports.js'

interface ServeOptions {
  config?: string[]
  dev?: boolean
  sqaOptOut?: boolean
}

async function serve(mode: ServeMode, opts: ServeOptions): Promise<void> {
  tuneHeapForServing()
  // Loaded here, not at the top: client commands should not pay for the server's modules.
  const [{ loadConfig }, { createLogger }, { createRegistry }, { startServer }] = await Promise.all([
    import('../config/loader.js'),
    import('../logging.js'),
    import('../registry.js'),
    import('../server.js'),
  ])
  const files = opts.config ?? []
  if (files.length > 1) fail('only one --config file is supported')
  const { config, warnings } = loadConfig({ ...(files[0] ? { file: files[0] } : {}), env: process.env, dev: opts.dev === true, keepDevSecret: true })
  await checkPortsFree(config.serve, mode)
  const logger = createLogger(config.log)
  for (const w of warnings) logger.warn(w)
  if (config.dev) {
    logger.warn('RUNNING IN DEVELOPMENT MODE (--dev): plain HTTP and relaxed checks are allowed. Never use --dev in production.')
  }
  const registry = await createRegistry(config, { logger })
  const server = await startServer(registry, mode)
  for (const [name, url] of Object.entries(server.urls)) logger.info({ listener: name, url }, `${name} listener started`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    server.close().then(
      () => {
        logger.info('shutdown complete')
        process.exit(0)
      },
      (e: unknown) => {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

export function registerServeCommand(program: Command): void {
  const cmd = program.command('serve').description('Run the HTTP listeners')
  const modes: Array<[ServeMode, string]> = [
    ['all', 'Serve the public (:4444) and admin (:4445) APIs in one process'],
    ['public', 'Serve only the public API (:4444)'],
    ['admin', 'Serve only the admin API (:4445)'],
  ]
  for (const [mode, description] of modes) {
    cmd
      .command(mode)
      .description(description)
      .option('-c, --config <file...>', 'Configuration file (YAML or JSON); environment variables override it')
      .option('--dev', 'Development mode: plain HTTP issuer, generated secret, auto-migration. Never in production.')
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
