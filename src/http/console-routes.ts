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
import type { FastifyReply } from 'fastify'
import { OutboundError, unrestrictedOutbound } from '../outbound/fetcher.js'
import { OAuthError, invalidRequest, notFound } from '../oauth2/errors.js'
import type { ServerStatus } from '../observability/status.js'
import { html, themedPage } from '../ui/page.js'
import { appendPath } from '../url-path.js'
import { sendPage } from './pages.js'
import { paramOf, type RouteGroup } from './route-table.js'
import { errorOAuth2, pathParams } from './schemas/components.js'
import { anyObject, arrayOf, bool, int, named, obj, str, strs, type Schema } from './schemas/json-schema.js'

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

const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true })

// The answer of GET /admin/orthrus/status (src/observability/status.ts); every member named, so
// the serialiser writes exactly these.
const statusReport = named(
  'orthrusStatus',
  obj({
    version: str('The running version'),
    issuer: str('urls.self.issuer'),
    dev: bool('Started with --dev'),
    access_token_strategy: str('strategies.access_token'),
    listeners: arrayOf(
      obj({
        name: str('public or admin'),
        listening: str('Where this process listens; absent when another process runs the listener'),
        url: str('urls.self.public or urls.self.admin'),
        tls: bool(),
        cors: bool(),
      }),
    ),
    database: obj({
      dialect: str('sqlite, postgres or mysql'),
      reachable: bool(),
      migrations: nullable(obj({ applied: int(), pending: strs('Names of the migrations not applied'), latest: str('The newest applied migration') })),
    }),
    key_sets: nullable(arrayOf(obj({ set: str(), keys: int() }))),
    live_tokens: nullable(obj({ access_tokens: int('Active, unexpired access tokens'), refresh_tokens: int('Active, unexpired refresh tokens') })),
    unavailable: strs('Parts that could not be read (the reason is in the server log)'),
  }),
)

const tryRequest = named(
  'orthrusTryClientCredentials',
  obj(
    {
      client_id: str(),
      client_secret: str(),
      scope: str('Space-separated scopes'),
      audience: strs(),
      auth_method: { type: 'string', enum: [...AUTH_METHODS], description: 'client_secret_basic (default) or client_secret_post' },
    },
    { required: ['client_id', 'client_secret'] },
  ),
)

const tryAnswer = named(
  'orthrusTryClientCredentialsResult',
  obj({
    token_endpoint: str('The URL the request went to'),
    auth_method: str(),
    status: int('The token endpoint\'s HTTP status'),
    response: anyObject('The token endpoint\'s JSON answer, as it came'),
    response_text: str('The start of a non-JSON answer'),
  }),
)

const PAGE = 'The console (HTML)'
const consoleTag = { tags: ['console'] as const }

/** The console's routes: its files and its two admin additions (full paths; no prefix-less aliases). */
export function consoleRoutes(deps: ConsoleDeps): RouteGroup {
  const dir = deps.dir ?? BUILT_CONSOLE_DIR
  const built = loadAssets(dir)
  if (!built) deps.warn?.(`the admin console is not built (no ${join(dir, 'index.html')}): run "npm run build"; /console/ explains this until then`)
  const tokenEndpoint = appendPath(deps.publicUrl, '/oauth2/token')

  return {
    routes: [
      {
        ...consoleTag,
        method: 'GET',
        url: '/console',
        operationId: 'getAdminConsole',
        summary: 'Orthrus addition: the admin web console',
        responses: { '200': PAGE, '503': 'The console was not built (HTML)' },
        handler: async (_request, reply) => {
          if (!built) return sendPage(reply, 503, NOT_BUILT_PAGE)
          return reply.code(200).headers(SECURITY_HEADERS).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(built.index)
        },
      },
      {
        ...consoleTag,
        method: 'GET',
        url: '/console/assets/:name',
        operationId: 'getAdminConsoleAsset',
        summary: 'Orthrus addition: a file of the admin web console',
        params: pathParams({ name: 'The file name' }),
        responses: { '200': 'The file (JavaScript, CSS or SVG)', '404': errorOAuth2 },
        handler: async (request, reply) => {
          const asset = built?.assets.get(paramOf(request, 'name'))
          if (!asset) throw notFound('There is no console file by this name.')
          // File names carry a content hash (console/build.mjs), so a name never changes meaning.
          return reply.code(200).headers(SECURITY_HEADERS).header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body)
        },
      },
      {
        ...consoleTag,
        method: 'GET',
        url: '/admin/orthrus/status',
        operationId: 'getOrthrusStatus',
        summary: 'Orthrus addition: server facts for the console (database, migrations, listeners, key sets, live tokens)',
        responses: { '200': statusReport, default: errorOAuth2 },
        handler: async () => deps.status.report(),
      },
      {
        ...consoleTag,
        method: 'POST',
        url: '/admin/orthrus/try/client-credentials',
        operationId: 'tryOrthrusClientCredentials',
        summary: 'Orthrus addition: relays one client_credentials request to the public token endpoint and returns its answer',
        body: { media: 'json', schema: tryRequest },
        responses: { '200': tryAnswer, '400': errorOAuth2, '502': errorOAuth2, default: errorOAuth2 },
        handler: async (request, reply) => relay(tokenEndpoint, tryInput(request.body), reply),
      },
    ],
  }
}

async function relay(tokenEndpoint: string, input: ReturnType<typeof tryInput>, reply: FastifyReply): Promise<FastifyReply> {
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
    const res = await unrestrictedOutbound.request(tokenEndpoint, { method: 'POST', headers, body: form.toString(), timeoutMs: TRY_TIMEOUT_MS, maxBytes: TRY_MAX_BYTES })
    status = res.status
    text = res.body.toString('utf8')
  } catch (err) {
    const reason = err instanceof OutboundError && err.reason === 'timeout' ? 'it did not answer within 10 s' : 'the connection failed'
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
    ...(response !== null && typeof response === 'object' && !Array.isArray(response) ? { response } : { response_text: text.slice(0, 2000) }),
  })
}
