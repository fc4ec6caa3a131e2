// `perform client-credentials`: exchanges a client's id and secret for an access token at the
// public token endpoint, authenticating with client_secret_basic as Hydra's CLI does.
import { clientCredentials as clientCredentialsGrant } from '../../oauth2/grants/client-credentials.js'
import type { Command } from 'commander'
import { verb } from '../clients.js'
import { addEndpointOption, asObject, formRequest, resolveEndpoint } from '../endpoint.js'
import { addFormatOption, CliError, parseFormat, printResult, runAction } from '../output.js'
import type { Column } from '../output.js'
import { commaList, scopeList } from '../input.js'
import { addClientCredentialOptions, clientCredentials, goTime } from '../tokens.js'
import { EMPTY, filled } from './user-flow.js'

type Opts = Record<string, unknown>

/** The token response as the server sent it, plus the absolute `expiry` the CLI worked out. */
export type TokenResult = Record<string, unknown> & { expiry?: string }


const TOKEN_COLUMNS: ReadonlyArray<Column<TokenResult>> = [
  { header: 'ACCESS TOKEN', value: (t) => t['access_token'] },
  // Shown only when there is one, as in the reference quickstart's client-credentials output.
  { header: 'REFRESH TOKEN', value: (t) => t['refresh_token'], omitEmpty: true },
  { header: 'ID TOKEN', value: (t) => filled(t['id_token']) },
  { header: 'EXPIRY', value: (t) => (t.expiry === undefined ? EMPTY : goTime(new Date(t.expiry))) },
]

/** Checks the RFC 6749 §5.1 response and adds `expiry`, computed from `expires_in` when it arrives. */
export function tokenResult(body: unknown, receivedAt: Date): TokenResult {
  const token = asObject(body, 'the token response')
  if (typeof token['access_token'] !== 'string' || token['access_token'] === '') {
    throw new CliError('unexpected response: the token response has no access_token')
  }
  const expiresIn = token['expires_in']
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) return { ...token }
  // Go's Time.Round(time.Second), which Hydra applies before printing.
  const expiry = new Date(Math.round((receivedAt.getTime() + expiresIn * 1000) / 1000) * 1000)
  return { ...token, expiry: expiry.toISOString() }
}

export function registerPerformClientCredentials(program: Command): void {
  const cmd = verb(program, 'perform', 'Perform OAuth 2.0 flows')
    .command('client-credentials')
    .description('Perform the OAuth 2.0 client credentials flow: exchange a client ID and secret for an access token')
  addClientCredentialOptions(cmd)
  cmd
    .option('--scope <scopes>', 'OAuth 2.0 scope(s) to request, repeatable or comma-separated', scopeList)
    .option('--audience <audiences>', 'access token audience(s) to request, repeatable or comma-separated', commaList)
  addEndpointOption(cmd, 'public')
  addFormatOption(cmd)
  cmd.action(
    runAction(async (opts: Opts) => {
      const format = parseFormat(typeof opts['format'] === 'string' ? opts['format'] : undefined)
      const endpoint = resolveEndpoint(typeof opts['endpoint'] === 'string' ? opts['endpoint'] : undefined, 'public')
      const credentials = clientCredentials(opts)
      const form: Record<string, string> = { grant_type: clientCredentialsGrant.type }
      const scopes = Array.isArray(opts['scope']) ? (opts['scope'] as string[]) : []
      const audiences = Array.isArray(opts['audience']) ? (opts['audience'] as string[]) : []
      if (scopes.length > 0) form['scope'] = scopes.join(' ')
      if (audiences.length > 0) form['audience'] = audiences.join(' ')
      let body: unknown
      try {
        body = (await formRequest(endpoint, '/oauth2/token', form, credentials)).body
      } catch (err) {
        if (err instanceof CliError) throw new CliError(`could not retrieve an access token: ${err.message}`)
        throw err
      }
      printResult(format, tokenResult(body, new Date()), TOKEN_COLUMNS)
    }),
  )
}
