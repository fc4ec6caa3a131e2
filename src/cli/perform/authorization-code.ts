// `perform authorization-code`: plays the client of an authorization code flow from the shell,
// like Hydra's command. A local server on 127.0.0.1 serves a start page and the callback; the
// request carries state, nonce and PKCE (S256); the code is exchanged at the token endpoint
// with client_secret_basic, or as a public client (`none`) when no secret is given.
import { spawn } from 'node:child_process'
import { authorizationCode } from '../../oauth2/grants/authorization-code.js'
import type { Command } from 'commander'
import { verb } from '../clients.js'
import { addEndpointOption, formRequest, joinUrl, resolveEndpoint } from '../endpoint.js'
import { addFormatOption, CliError, io, parseFormat, printResult, runAction } from '../output.js'
import { commaList, scopeList } from '../input.js'
import { startCallbackServer } from './callback-server.js'
import { authorizationUrl, newFlowSecrets } from './authorization-request.js'
import { tokenResult, type TokenResult } from './client-credentials.js'
import { DEFAULT_SCOPES, USER_TOKEN_COLUMNS as TOKEN_COLUMNS, list, str, userFlowClient } from './user-flow.js'

type Opts = Record<string, unknown>

export const DEFAULT_PORT = 4446

function parsePort(raw: unknown): number {
  const port = raw === undefined ? DEFAULT_PORT : Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`invalid --port "${String(raw)}": use 1-65535`)
  return port
}

function parseMaxAge(raw: unknown): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < -1) throw new CliError(`invalid --max-age "${String(raw)}": use whole seconds, or -1 for none`)
  // Hydra: -1 means no max_age parameter.
  return value === -1 ? undefined : value
}

/** Splits an absolute URL into the (endpoint, path) pair the shared HTTP helper takes. */
function splitUrl(url: string, flag: string): { endpoint: string; path: string } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new CliError(`invalid ${flag} "${url}": not an absolute URL`)
  }
  return { endpoint: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
}

// Failing to open a browser is fine: the link is printed anyway.
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open'
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // not available on this machine
  }
}

export function registerPerformAuthorizationCode(program: Command): void {
  const cmd = verb(program, 'perform', 'Perform OAuth 2.0 flows')
    .command('authorization-code')
    .description('Perform the OAuth 2.0 authorization code flow (with OpenID Connect) through a browser and a local callback server')
    .option('--client-id <id>', 'the OAuth 2.0 client ID (default: $OAUTH2_CLIENT_ID)')
    .option('--client-secret <secret>', 'the client secret (default: $OAUTH2_CLIENT_SECRET); without one, a public client with PKCE')
    .option('--port <port>', 'port of the local callback server on 127.0.0.1', String(DEFAULT_PORT))
    .option('--scope <scopes>', `scope(s) to request, repeatable or comma-separated (default: ${DEFAULT_SCOPES.join(',')})`, scopeList)
    .option('--audience <audiences>', 'access token audience(s) to request, repeatable or comma-separated', commaList)
    .option('--prompt <values>', 'OpenID Connect prompt value(s), e.g. login,consent', commaList)
    .option('--max-age <seconds>', 'OpenID Connect max_age; -1 sends none')
    .option('--redirect <url>', 'redirect URI to use (default: http://127.0.0.1:<port>/callback)')
    .option('--auth-url <url>', 'authorization endpoint (default: <endpoint>/oauth2/auth)')
    .option('--token-url <url>', 'token endpoint (default: <endpoint>/oauth2/token)')
    .option('--no-open', 'do not open a browser; only print the link')
    .option('--no-pkce', 'do not send a PKCE code challenge')
  addEndpointOption(cmd, 'public')
  addFormatOption(cmd)
  cmd.action(runAction((opts: Opts) => performAuthorizationCode(opts)))
}

export async function performAuthorizationCode(opts: Opts, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const format = parseFormat(str(opts['format']))
  const { clientId, clientSecret } = userFlowClient(opts, env)
  const port = parsePort(opts['port'])
  const maxAge = parseMaxAge(opts['maxAge'])
  const pkce = opts['pkce'] !== false
  const authUrl = str(opts['authUrl'])
  const tokenUrl = str(opts['tokenUrl'])
  // --endpoint is needed only for what the overrides leave out.
  const endpoint = authUrl !== undefined && tokenUrl !== undefined ? '' : resolveEndpoint(str(opts['endpoint']), 'public', env)
  const token = splitUrl(tokenUrl ?? joinUrl(endpoint, '/oauth2/token'), '--token-url')
  const redirectUri = str(opts['redirect']) ?? `http://127.0.0.1:${port}/callback`
  const scopes = list(opts['scope'])

  const secrets = newFlowSecrets()
  const link = authorizationUrl(authUrl ?? joinUrl(endpoint, '/oauth2/auth'), {
    clientId,
    redirectUri,
    scopes: scopes.length > 0 ? scopes : DEFAULT_SCOPES,
    audiences: list(opts['audience']),
    prompt: list(opts['prompt']),
    ...(maxAge !== undefined ? { maxAge } : {}),
    state: secrets.state,
    nonce: secrets.nonce,
    ...(pkce ? { codeChallenge: secrets.codeChallenge } : {}),
  })

  const server = await startCallbackServer({ port, callbackPath: callbackPathOf(redirectUri), authorizationUrl: link, state: secrets.state })
  try {
    io.stderr(`Setting up home route on ${server.homeUrl}\n`)
    io.stderr(`Setting up callback listener on ${server.homeUrl.replace(/\/$/, '')}${callbackPathOf(redirectUri)}\n`)
    io.stderr('Press ctrl+c to end the process.\n')
    io.stderr(`If your browser does not open automatically, navigate to:\n\n\t${server.homeUrl}\n\nor go straight to the authorization URL:\n\n\t${link}\n\n`)
    if (opts['open'] !== false) openBrowser(server.homeUrl)

    const code = await server.code
    const form: Record<string, string> = { grant_type: authorizationCode.type, code, redirect_uri: redirectUri }
    if (pkce) form['code_verifier'] = secrets.codeVerifier
    if (clientSecret === undefined) form['client_id'] = clientId
    let result: TokenResult
    try {
      const credentials = clientSecret === undefined ? undefined : { clientId, clientSecret }
      result = tokenResult((await formRequest(token.endpoint, token.path, form, credentials)).body, new Date())
    } catch (err) {
      server.finish(false)
      if (err instanceof CliError) throw new CliError(`could not exchange the authorization code: ${err.message}`)
      throw err
    }
    server.finish(true)
    printResult(format, result, TOKEN_COLUMNS)
  } finally {
    await server.close()
  }
}

/** The callback is served at the redirect URI's path, so --redirect may name another one. */
function callbackPathOf(redirectUri: string): string {
  try {
    return new URL(redirectUri).pathname
  } catch {
    throw new CliError(`invalid --redirect "${redirectUri}": not an absolute URL`)
  }
}
