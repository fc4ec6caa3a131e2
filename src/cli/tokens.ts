// `introspect token` and `delete access-tokens` (admin API), `revoke token` (public API), plus the
// pieces the token commands share: client credentials from flags or the environment, Go-style times.
import type { Command } from 'commander'
import { verb } from './clients.js'
import { addEndpointOption, adminRequest, asObject, formRequest } from './endpoint.js'
import { scopeList } from './input.js'
import { addFormatOption, CliError, printResult, runAction } from './output.js'
import type { Column } from './output.js'
import { commandContext as context } from './resource-commands.js'

type Opts = Record<string, unknown>


export interface ClientCredentials {
  clientId: string
  clientSecret: string
}

/** `--client-id` / `--client-secret`, falling back to OAUTH2_CLIENT_ID / OAUTH2_CLIENT_SECRET as Hydra does. */
export function addClientCredentialOptions(cmd: Command): Command {
  return cmd
    .option('--client-id <id>', 'the OAuth 2.0 client ID (default: $OAUTH2_CLIENT_ID)')
    .option('--client-secret <secret>', 'the OAuth 2.0 client secret (default: $OAUTH2_CLIENT_SECRET)')
}

export function clientCredentials(opts: Opts, env: NodeJS.ProcessEnv = process.env): ClientCredentials {
  const pick = (flag: unknown, name: string): string =>
    typeof flag === 'string' && flag !== '' ? flag : (env[name] ?? '')
  const clientId = pick(opts['clientId'], 'OAUTH2_CLIENT_ID')
  const clientSecret = pick(opts['clientSecret'], 'OAUTH2_CLIENT_SECRET')
  if (clientId === '' || clientSecret === '') {
    throw new CliError(
      'please provide a client ID and secret with --client-id and --client-secret, or OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET',
    )
  }
  return { clientId, clientSecret }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** Go's `time.Time.String()` for a UTC time, whole seconds: `2022-10-28 11:56:14 +0000 UTC`. */
export function goTime(date: Date): string {
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return `${day} ${time} +0000 UTC`
}


type Introspection = Record<string, unknown>

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

// Hydra prints every column, with empty values and the Unix epoch for a token without `exp`.
const INTROSPECTION_COLUMNS: ReadonlyArray<Column<Introspection>> = [
  { header: 'ACTIVE', value: (i) => String(i['active'] === true) },
  { header: 'SUBJECT', value: (i) => text(i['sub']) },
  { header: 'CLIENT ID', value: (i) => text(i['client_id']) },
  { header: 'SCOPE', value: (i) => text(i['scope']) },
  { header: 'EXPIRY', value: (i) => goTime(new Date((typeof i['exp'] === 'number' ? i['exp'] : 0) * 1000)) },
  { header: 'TOKEN USE', value: (i) => text(i['token_use']) },
]

// As Hydra does: what was acted on (the revoked token, the client whose tokens went) is echoed as the ID.
const ID_COLUMNS: ReadonlyArray<Column<string>> = [{ header: 'ID', value: (id) => id }]

export function registerTokenCommands(program: Command): void {
  const introspect = verb(program, 'introspect', 'Introspect resources')
    .command('token')
    .description('Introspect an OAuth 2.0 access or refresh token (admin API)')
    .argument('<token>', 'the token to introspect')
    .option('--scope <scopes>', 'additionally check that these scopes were granted, repeatable', scopeList)
  addEndpointOption(introspect, 'admin')
  addFormatOption(introspect)
  introspect.action(
    runAction(async (token: string, opts: Opts) => {
      const { endpoint, format } = context(opts, 'admin')
      const form: Record<string, string> = { token }
      const scopes = Array.isArray(opts['scope']) ? (opts['scope'] as string[]) : []
      if (scopes.length > 0) form['scope'] = scopes.join(' ')
      const res = await formRequest(endpoint, '/admin/oauth2/introspect', form)
      printResult(format, asObject(res.body, 'the introspection result'), INTROSPECTION_COLUMNS)
    }),
  )

  const revoke = verb(program, 'revoke', 'Revoke resources')
    .command('token')
    .description('Revoke an OAuth 2.0 access or refresh token (public API)')
    .argument('<token>', 'the token to revoke')
  addClientCredentialOptions(revoke)
  addEndpointOption(revoke, 'public')
  addFormatOption(revoke)
  revoke.action(
    runAction(async (token: string, opts: Opts) => {
      const { endpoint, format } = context(opts, 'public')
      const credentials = clientCredentials(opts)
      await formRequest(endpoint, '/oauth2/revoke', { token }, credentials)
      printResult(format, token, ID_COLUMNS)
    }),
  )

  const deleteTokens = verb(program, 'delete', 'Delete resources')
    .command('access-tokens')
    .description('Delete the tokens issued to an OAuth 2.0 client (admin API: DELETE /admin/oauth2/tokens)')
    .argument('<client-id>', 'the client whose access tokens are deleted')
  addEndpointOption(deleteTokens, 'admin')
  addFormatOption(deleteTokens)
  deleteTokens.action(
    runAction(async (clientId: string, opts: Opts) => {
      const { endpoint, format } = context(opts, 'admin')
      await adminRequest(endpoint, 'DELETE', `/admin/oauth2/tokens?${new URLSearchParams({ client_id: clientId }).toString()}`)
      printResult(format, clientId, ID_COLUMNS)
    }),
  )
}
