// The admin web console on the admin listener (serve.admin.console.enabled, on by default): the
// static single-page app built by console/build.mjs into dist/console/, and the two Orthrus
// additions it needs beside Hydra's admin API:
//   GET  /admin/orthrus/status                      read-only server facts (src/observability/status.ts)
//   POST /admin/orthrus/try/client-credentials      "Try it": relays one client_credentials request
//        to the public token endpoint (urls.self.public) and returns its answer as it came.
// The console reaches only its own origin; the relay is how it tries the public endpoint without
// asking the operator to open CORS on the public listener (docs/console.md).
//
// Assets are read once at start-up into memory and served by name from that list: nothing on a
// request path touches the file system, so a crafted path can only miss (404).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { readLimited } from '../client/fetch-bounded.js'
import { OAuthError, invalidRequest, notFound } from '../oauth2/errors.js'
import type { ServerStatus } from '../observability/status.js'
import { html, themedPage } from '../ui/page.js'
import { sendPage } from './pages.js'
import { appendPath } from '../oidc/discovery.js'

/** Where `npm run build` puts the console: dist/console/ beside dist/http/. */
export const BUILT_CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url))

export interface ConsoleDeps {
  status: Pick<ServerStatus, 'report'>
  /** The public base URL the relay sends token requests to (urls.self.public). */
  publicUrl: string
  /** Where index.html and assets/ are; default BUILT_CONSOLE_DIR. */
  dir?: string
  warn?: (message: string) => void
}

interface Asset {
  body: Buffer
  type: string
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
}

// The app's own files only: no inline script or style, no other origin, no framing.
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

function loadAssets(dir: string): { index: Buffer; assets: Map<string, Asset> } | undefined {
  const indexFile = join(dir, 'index.html')
  if (!existsSync(indexFile)) return undefined
  const assets = new Map<string, Asset>()
  const assetDir = join(dir, 'assets')
  if (existsSync(assetDir)) {
    for (const entry of readdirSync(assetDir, { withFileTypes: true })) {
      const type = TYPES[extname(entry.name)]
      if (entry.isFile() && type !== undefined) assets.set(entry.name, { body: readFileSync(join(assetDir, entry.name)), type })
    }
  }
  return { index: readFileSync(indexFile), assets }
}

const NOT_BUILT_PAGE = themedPage({
  title: 'The admin console is not built',
  product: 'Admin console',
  body: html`<h1>The admin console is not built</h1>
<p>This copy of Orthrus has no built console files. Run <code>npm run build</code> (or <code>npm run dev</code>) and restart the server.</p>
<p class="muted">The admin API itself works as usual; set <code>serve.admin.console.enabled: false</code> to turn the console off.</p>`,
})

const TRY_TIMEOUT_MS = 10_000
const TRY_MAX_BYTES = 1024 * 1024
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const

/** The relay's input: a client's credentials and what to ask for; checked field by field. */
function tryInput(body: unknown): { clientId: string; secret: string; scope: string; audience: string[]; method: (typeof AUTH_METHODS)[number] } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>
  const text = (name: string, required: boolean): string => {
    const v = b[name]
    if (v === undefined || v === null || v === '') {
      if (required) throw invalidRequest(`Field ${name} is required.`)
      return ''
    }
    if (typeof v !== 'string') throw invalidRequest(`Field ${name} must be a string.`)
    return v
  }
  const audience = b.audience ?? []
  if (!Array.isArray(audience) || !audience.every((a): a is string => typeof a === 'string')) throw invalidRequest('Field audience must be an array of strings.')
  const method = b.auth_method ?? 'client_secret_basic'
  if (!(AUTH_METHODS as readonly unknown[]).includes(method)) throw invalidRequest(`Field auth_method must be one of ${AUTH_METHODS.join(', ')}.`)
  return { clientId: text('client_id', true), secret: text('client_secret', true), scope: text('scope', false), audience, method: method as (typeof AUTH_METHODS)[number] }
}

// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
const formEncode = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')

export function consoleRoutes(deps: ConsoleDeps) {
  const dir = deps.dir ?? BUILT_CONSOLE_DIR
  const built = loadAssets(dir)
  if (!built) deps.warn?.(`the admin console is not built (no ${join(dir, 'index.html')}): run "npm run build"; /console/ explains this until then`)
  const tokenEndpoint = appendPath(deps.publicUrl, '/oauth2/token')

  const sendIndex = (_request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (!built) return sendPage(reply, 503, NOT_BUILT_PAGE)
    return reply.code(200).headers(SECURITY_HEADERS).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(built.index)
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/console', sendIndex)
    app.get('/console/assets/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const asset = built?.assets.get(request.params.name)
      if (!asset) throw notFound('The requested route does not exist.')
      // File names carry a content hash (console/build.mjs), so a name never changes meaning.
      return reply.code(200).headers(SECURITY_HEADERS).header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body)
    })

    app.get('/admin/orthrus/status', async () => deps.status.report())

    app.post('/admin/orthrus/try/client-credentials', async (request, reply) => {
      const input = tryInput(request.body)
      const form = new URLSearchParams({ grant_type: 'client_credentials' })
      if (input.scope !== '') form.set('scope', input.scope)
      for (const a of input.audience) form.append('audience', a)
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
      if (input.method === 'client_secret_basic') {
        headers.authorization = `Basic ${Buffer.from(`${formEncode(input.clientId)}:${formEncode(input.secret)}`).toString('base64')}`
      } else {
        form.set('client_id', input.clientId)
        form.set('client_secret', input.secret)
      }
      let status: number
      let text: string
      try {
        const res = await fetch(tokenEndpoint, { method: 'POST', headers, body: form.toString(), redirect: 'manual', signal: AbortSignal.timeout(TRY_TIMEOUT_MS) })
        status = res.status
        text = await readLimited(res.body, TRY_MAX_BYTES)
      } catch (err) {
        const reason = err instanceof Error && err.name === 'TimeoutError' ? 'it did not answer within 10 s' : 'the connection failed'
        throw new OAuthError('server_error', `The public token endpoint ${tokenEndpoint} could not be reached from the admin listener: ${reason}.`, 502, 'Check urls.self.public and that the public listener runs.')
      }
      let response: unknown = null
      try {
        response = JSON.parse(text)
      } catch {
        // Not JSON (a proxy's error page): shown as text.
      }
      // The answer carries tokens: never cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({
        token_endpoint: tokenEndpoint,
        auth_method: input.method,
        status,
        ...(response !== null && typeof response === 'object' ? { response } : { response_text: text.slice(0, 2000) }),
      })
    })
  }
}
