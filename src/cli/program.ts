import { Command } from 'commander'
import { VERSION } from '../version.js'

type Register = (program: Command) => void

// Each module adds its commands to the program. They are imported only when the command line
// needs them: a client command should not pay for loading every other command's code.
const MODULES = {
  serve: async () => (await import('./serve.js')).registerServeCommand,
  migrate: async () => (await import('./migrate.js')).registerMigrateCommand,
  clients: async () => (await import('./clients.js')).registerClientCommands,
  keys: async () => (await import('./keys.js')).registerKeyCommands,
  performClientCredentials: async () => (await import('./perform/client-credentials.js')).registerPerformClientCredentials,
  performAuthorizationCode: async () => (await import('./perform/authorization-code.js')).registerPerformAuthorizationCode,
  performDeviceCode: async () => (await import('./perform/device-code.js')).registerPerformDeviceCode,
  tokens: async () => (await import('./tokens.js')).registerTokenCommands,
  janitor: async () => (await import('./janitor.js')).registerJanitorCommand,
  secrets: async () => (await import('./secrets.js')).registerSecretsCommands,
  trust: async () => (await import('./trust.js')).registerTrustCommands,
  completion: async () => (await import('./completion.js')).registerCompletionCommand,
} satisfies Record<string, () => Promise<Register>>

type ModuleName = keyof typeof MODULES

/** Every module, in the order their commands appear in the help. */
const ALL = Object.keys(MODULES) as ModuleName[]

/** The modules that add commands under each top-level word (test/cli/program.test.ts keeps it exact). */
export const MODULES_BY_COMMAND: Readonly<Record<string, readonly ModuleName[]>> = {
  serve: ['serve'],
  migrate: ['migrate'],
  create: ['clients', 'keys', 'trust'],
  get: ['clients', 'keys', 'trust'],
  list: ['clients', 'trust'],
  update: ['clients'],
  delete: ['clients', 'keys', 'tokens', 'trust'],
  import: ['clients', 'keys'],
  perform: ['performClientCredentials', 'performAuthorizationCode', 'performDeviceCode'],
  introspect: ['tokens'],
  revoke: ['tokens'],
  rotate: ['clients'],
  janitor: ['janitor'],
  secrets: ['secrets'],
  // The scripts complete every command, so they are made from the whole program.
  completion: ALL,
}

const VERSION_LINE = `Version:    ${VERSION}`

/**
 * The `orthrus` program. With `argv` (process.argv), only the modules of its command are loaded;
 * help, an unknown command and no command at all get every module.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('orthrus')
    .description('Orthrus: a headless OAuth 2.0 and OpenID Connect server, wire-compatible with Ory Hydra 2.x')
    .version(VERSION_LINE, '-v, --version', 'Show the version')
    .showHelpAfterError()
  program
    .command('version')
    .description('Show the version')
    .action(() => {
      process.stdout.write(`${VERSION_LINE}\n`)
    })
  const word = argv?.[2]
  const wanted = word === 'version' ? [] : (word !== undefined && MODULES_BY_COMMAND[word]) || ALL
  const registers = await Promise.all(ALL.filter((m) => wanted.includes(m)).map((m) => MODULES[m]()))
  for (const register of registers) register(program)
  return program
}
