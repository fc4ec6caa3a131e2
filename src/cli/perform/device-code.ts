// `perform device-code`: plays the device of an OAuth 2.0 Device Authorization Grant (RFC 8628)
// from the shell. It asks the device authorization endpoint for codes, tells the person where to
// enter the user code, then polls the token endpoint at the given interval (5 s more after every
// slow_down, RFC 8628 §3.5) until the tokens come, the person refuses, or the codes expire.
import type { Command } from 'commander'
import { verb } from '../clients.js'
import { addEndpointOption, asObject, basicAuthorization, displayEndpoint, joinUrl, resolveEndpoint } from '../endpoint.js'
import { addFormatOption, CliError, io, parseFormat, printResult, runAction } from '../output.js'
import { commaList, scopeList } from '../input.js'
import { tokenResult } from './client-credentials.js'
import { deviceCode as deviceCodeGrant } from '../../oauth2/grants/device-code.js'
import { send, TransportError, type RawResponse } from '../transport.js'
import { DEFAULT_SCOPES, USER_TOKEN_COLUMNS as TOKEN_COLUMNS, list, str, userFlowClient } from './user-flow.js'

type Opts = Record<string, unknown>

/** The grant_type it polls with, from the grant's own module. */
export const DEVICE_CODE_GRANT = deviceCodeGrant.type
const SLOW_DOWN_STEP = 5

interface Reply {
  status: number
  body: Record<string, unknown>
}

async function post(endpoint: string, path: string, form: Record<string, string>, auth: string | undefined): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }
  if (auth !== undefined) headers['authorization'] = auth
  let res: RawResponse
  try {
    res = await send(joinUrl(endpoint, path), { method: 'POST', headers, body: new URLSearchParams(form).toString() })
  } catch (err) {
    if (!(err instanceof TransportError)) throw err
    throw new CliError(`could not reach ${displayEndpoint(endpoint)}`)
  }
  const { text } = res
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new CliError(`${res.status} response from ${displayEndpoint(endpoint)} is not JSON`)
  }
  return { status: res.status, body: typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {} }
}

const describe = (r: Reply): string => {
  const error = str(r.body['error']) ?? `status ${r.status}`
  const description = str(r.body['error_description'])
  return description === undefined ? error : `${error}: ${description}`
}

export function registerPerformDeviceCode(program: Command): void {
  const cmd = verb(program, 'perform', 'Perform OAuth 2.0 flows')
    .command('device-code')
    .description('Perform the OAuth 2.0 device authorization grant (RFC 8628): show a user code, then poll for the tokens')
    .option('--client-id <id>', 'the OAuth 2.0 client ID (default: $OAUTH2_CLIENT_ID)')
    .option('--client-secret <secret>', 'the client secret (default: $OAUTH2_CLIENT_SECRET); without one, a public client')
    .option('--scope <scopes>', `scope(s) to request, repeatable or comma-separated (default: ${DEFAULT_SCOPES.join(',')})`, scopeList)
    .option('--audience <audiences>', 'access token audience(s) to request, repeatable or comma-separated', commaList)
  addEndpointOption(cmd, 'public')
  addFormatOption(cmd)
  cmd.action(runAction((opts: Opts) => performDeviceCode(opts)))
}

export async function performDeviceCode(
  opts: Opts,
  env: NodeJS.ProcessEnv = process.env,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const format = parseFormat(str(opts['format']))
  const { clientId, clientSecret } = userFlowClient(opts, env)
  const endpoint = resolveEndpoint(str(opts['endpoint']), 'public', env)
  const auth = clientSecret === undefined ? undefined : basicAuthorization(clientId, clientSecret)
  const identify: Record<string, string> = clientSecret === undefined ? { client_id: clientId } : {}

  const scopes = list(opts['scope'])
  const audiences = list(opts['audience'])
  const request: Record<string, string> = { ...identify, scope: (scopes.length > 0 ? scopes : DEFAULT_SCOPES).join(' ') }
  if (audiences.length > 0) request['audience'] = audiences.join(' ')
  const started = await post(endpoint, '/oauth2/device/auth', request, auth)
  if (started.status !== 200) throw new CliError(`could not start the device authorization: ${describe(started)}`)
  const body = asObject(started.body, 'the device authorization response')
  const deviceCode = str(body['device_code'])
  const userCode = str(body['user_code'])
  const verificationUri = str(body['verification_uri'])
  if (deviceCode === undefined || userCode === undefined || verificationUri === undefined) {
    throw new CliError('unexpected response: the device authorization response lacks device_code, user_code or verification_uri')
  }
  const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] : 600
  // RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
  let interval = typeof body['interval'] === 'number' && body['interval'] > 0 ? body['interval'] : 5
  const complete = str(body['verification_uri_complete'])
  io.stderr(`To authorize this device, open\n\n\t${verificationUri}\n\nand enter the code\n\n\t${userCode}\n\n`)
  if (complete !== undefined) io.stderr(`or open directly:\n\n\t${complete}\n\n`)
  io.stderr('Waiting for the authorization...\n')

  const deadline = Date.now() + expiresIn * 1000
  for (;;) {
    await sleep(interval * 1000)
    if (Date.now() > deadline) throw new CliError('the device code expired before it was authorized')
    const polled = await post(endpoint, '/oauth2/token', { ...identify, grant_type: DEVICE_CODE_GRANT, device_code: deviceCode }, auth)
    if (polled.status === 200) {
      printResult(format, tokenResult(polled.body, new Date()), TOKEN_COLUMNS)
      return
    }
    const error = polled.body['error']
    if (error === 'authorization_pending') continue
    if (error === 'slow_down') {
      interval += SLOW_DOWN_STEP
      continue
    }
    throw new CliError(`could not obtain the tokens: ${describe(polled)}`)
  }
}
