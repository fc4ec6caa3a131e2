// The local web server of `perform authorization-code`: `/` links to the authorization URL, the
// callback path receives the code. Bound to 127.0.0.1 only; pages allow no script, only the
// shared theme's stylesheet (src/ui/page.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { html, themedPage, themedPageCsp, type Html } from '../../ui/page.js'
import { CliError } from '../output.js'

export interface CallbackServerOptions {
  port: number
  callbackPath: string
  authorizationUrl: string
  state: string
}

export interface CallbackServer {
  homeUrl: string
  /** The authorization code; rejects with a CliError for an error response or a wrong state. */
  code: Promise<string>
  /** Answers the waiting callback request with the outcome of the token exchange. */
  finish(ok: boolean): void
  close(): Promise<void>
}

// Parameters from the redirect are shown on one terminal line, without control characters.
const printable = (s: string): string => s.replace(/\p{Cc}+/gu, ' ').trim().slice(0, 500)

function send(res: ServerResponse, status: number, title: string, body: Html): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': themedPageCsp(["form-action 'none'"]),
    'cache-control': 'no-store',
    // The callback URL carries the code: never leak it in a Referer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  })
  res.end(themedPage({ title, product: 'orthrus perform authorization-code', body }))
}

export async function startCallbackServer(opts: CallbackServerOptions): Promise<CallbackServer> {
  let resolveCode!: (code: string) => void
  let rejectCode!: (err: CliError) => void
  const code = new Promise<string>((resolve, reject) => {
    resolveCode = resolve
    rejectCode = reject
  })
  // The command awaits `code` right after start-up; this keeps an early failure from being unhandled.
  code.catch(() => undefined)
  let pending: ServerResponse | undefined
  let done = false

  const onCallback = (query: URLSearchParams, res: ServerResponse): void => {
    if (done) return send(res, 409, 'Already done', html`<h1>Already done</h1><p>This flow has already completed. Start a new one from the terminal.</p>`)
    done = true
    const error = query.get('error')
    if (error !== null) {
      const description = query.get('error_description') ?? ''
      send(res, 400, 'Authorization failed', html`<h1>Authorization failed</h1><div class="alert error" role="alert"><p><code>${error}</code> ${description}</p></div><p>See the terminal.</p>`)
      return rejectCode(new CliError(`authorization failed: ${printable(error)}${description ? `: ${printable(description)}` : ''}`))
    }
    if (query.get('state') !== opts.state) {
      send(res, 400, 'State mismatch', html`<h1>The state parameter does not match</h1><div class="alert error" role="alert"><p>This response does not belong to this flow.</p></div>`)
      return rejectCode(new CliError('authorization failed: the state parameter in the callback does not match the one sent'))
    }
    const received = query.get('code')
    if (received === null || received === '') {
      send(res, 400, 'No code', html`<h1>The callback carries no code</h1><p>The authorization server sent neither a code nor an error.</p>`)
      return rejectCode(new CliError('authorization failed: the callback carries neither a code nor an error'))
    }
    pending = res
    resolveCode(received)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method !== 'GET') return send(res, 405, 'Method not allowed', html`<h1>Method not allowed</h1>`)
    if (url.pathname === opts.callbackPath) return onCallback(url.searchParams, res)
    if (url.pathname === '/') {
      return send(
        res,
        200,
        'Orthrus: authorization code flow',
        html`<h1>Authorization code flow</h1><p>Sign in and consent at the authorization server; the code comes back to this page and the terminal exchanges it for tokens.</p>
<p class="actions"><a class="button" href="${opts.authorizationUrl}">Authorize application</a></p>`,
      )
    }
    send(res, 404, 'Not found', html`<h1>Not found</h1>`)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(`could not listen on 127.0.0.1:${opts.port}: ${err.code ?? err.message}`)))
    server.listen(opts.port, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    homeUrl: `http://127.0.0.1:${port}/`,
    code,
    finish(ok) {
      const res = pending
      pending = undefined
      if (res === undefined) return
      if (ok) send(res, 200, 'Success', html`<h1>Success</h1><div class="alert success"><p>The tokens were printed in the terminal. You may close this window.</p></div>`)
      else send(res, 502, 'Token exchange failed', html`<h1>The code could not be exchanged for tokens</h1><div class="alert error" role="alert"><p>See the terminal.</p></div>`)
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
