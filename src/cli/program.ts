import { Command } from 'commander'
import { VERSION } from '../version.js'
import { registerClientCommands } from './clients.js'
import { registerKeyCommands } from './keys.js'
import { registerServeCommand } from './serve.js'
import { registerMigrateCommand } from './migrate.js'
import { registerPerformClientCredentials } from './perform/client-credentials.js'
import { registerPerformAuthorizationCode } from './perform/authorization-code.js'
import { registerPerformDeviceCode } from './perform/device-code.js'
import { registerTokenCommands } from './tokens.js'
import { registerJanitorCommand } from './janitor.js'
import { registerSecretsCommands } from './secrets.js'
import { registerTrustCommands } from './trust.js'

export function buildProgram(): Command {
  const program = new Command('orthrus')
    .description('Orthrus: a headless OAuth 2.0 and OpenID Connect server, wire-compatible with Ory Hydra 2.x')
    .showHelpAfterError()
  program
    .command('version')
    .description('Show the version')
    .action(() => {
      process.stdout.write(`Version:    ${VERSION}\n`)
    })
  registerServeCommand(program)
  registerMigrateCommand(program)
  registerClientCommands(program)
  registerKeyCommands(program)
  registerPerformClientCredentials(program)
  registerPerformAuthorizationCode(program)
  registerPerformDeviceCode(program)
  registerTokenCommands(program)
  registerJanitorCommand(program)
  registerSecretsCommands(program)
  registerTrustCommands(program)
  return program
}
