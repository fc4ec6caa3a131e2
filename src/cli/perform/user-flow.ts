// What the commands playing a client of an end-user flow (`perform authorization-code` and
// `perform device-code`) share: the client from flags or the environment, the default scopes,
// and the token table.
import { CliError } from '../output.js'
import type { Column } from '../output.js'
import { goTime } from '../tokens.js'
import type { TokenResult } from './client-credentials.js'

type Opts = Record<string, unknown>

// Hydra's default scopes for these commands; `offline` is its alias of `offline_access`.
export const DEFAULT_SCOPES = ['offline', 'openid']

export const EMPTY = '<empty>'
export const filled = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : EMPTY)

// All four rows, always, as in the reference quickstart's authorization-code output.
export const USER_TOKEN_COLUMNS: ReadonlyArray<Column<TokenResult>> = [
  { header: 'ACCESS TOKEN', value: (t) => t['access_token'] },
  { header: 'REFRESH TOKEN', value: (t) => filled(t['refresh_token']) },
  { header: 'ID TOKEN', value: (t) => filled(t['id_token']) },
  { header: 'EXPIRY', value: (t) => (t.expiry === undefined ? EMPTY : goTime(new Date(t.expiry))) },
]

/** A non-empty string option, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
/** A repeatable option's values. */
export const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

/** --client-id / --client-secret, else OAUTH2_CLIENT_ID / OAUTH2_CLIENT_SECRET; no secret means a public client. */
export function userFlowClient(opts: Opts, env: NodeJS.ProcessEnv): { clientId: string; clientSecret: string | undefined } {
  const clientId = str(opts['clientId']) ?? str(env['OAUTH2_CLIENT_ID'])
  const clientSecret = str(opts['clientSecret']) ?? str(env['OAUTH2_CLIENT_SECRET'])
  if (clientId === undefined) throw new CliError('please provide a client ID with --client-id or OAUTH2_CLIENT_ID')
  return { clientId, clientSecret }
}
