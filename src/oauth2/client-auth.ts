// Client authentication at the token and revocation endpoints (RFC 6749 §2.3, OpenID Connect
// Core §9): client_secret_basic, client_secret_post, private_key_jwt, or none.
import type { Client } from '../client/model.js'
import type { ClientStore } from '../client/store.js'
import type { Logger } from '../logging.js'
import type { SecretHasher } from '../crypto/hasher.js'
import { randomSecret } from '../crypto/random.js'
import { JWT_BEARER_ASSERTION, authenticateByAssertion } from './client-assertion.js'
import type { ClientKeySets } from './client-jwks.js'
import { OAuthError, invalidClient, invalidRequest } from './errors.js'
import { SecretVerifier } from './secret-cache.js'
import type { TokenStore } from './store.js'

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

export interface ClientAuthRequest {
  /** The Authorization header as received, if any. */
  authorization: string | undefined
  /** The form parameters, each given once (the edge rejects repeats). */
  form: Readonly<Record<string, string>>
}

export interface AuthenticatedClient {
  client: Client
  method: AuthMethod
}

export interface ClientAuthDeps {
  clients: Pick<ClientStore, 'get'>
  hasher: SecretHasher
  tokens: Pick<TokenStore, 'useJti'>
  /** `aud` values a client assertion may name: the token endpoint URL(s) and the issuer. */
  assertionAudiences: readonly string[]
  now?: () => Date
  /** Bound of the verified-secret cache. */
  cacheSize?: number
  /** Keys of clients registered by jwks_uri (private_key_jwt); without it such clients are refused. */
  clientKeys?: ClientKeySets
  /** Told why each invalid_client happened (the client only learns that it did). */
  logger?: Pick<Logger, 'info'>
}

// RFC 6749 §5.2 / RFC 7235 §4.1: a 401 for Basic credentials names the scheme to use.
export const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="oauth2"' } as const

interface BasicCredentials {
  id: string
  secret: string
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before they go into the Basic header
// (so "+" is a space, as in fosite, which uses Go's url.QueryUnescape).
function formDecode(value: string, what: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    throw invalidRequest(
      `The client ${what} in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.`,
    )
  }
}

/** The Basic credentials in an Authorization header; undefined when another scheme (or none) is used. */
export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined
  const m = /^basic(?: +(.*))?$/is.exec(header.trim())
  if (!m) return undefined
  const encoded = (m[1] ?? '').trim()
  const fail = () => invalidClient('The HTTP Basic credentials are malformed.', BASIC_CHALLENGE)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw fail()
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  // RFC 7617 §2: the user-id cannot contain a colon, the password can.
  const colon = decoded.indexOf(':')
  if (colon <= 0) throw fail()
  return { id: formDecode(decoded.slice(0, colon), 'id'), secret: formDecode(decoded.slice(colon + 1), 'secret') }
}

const wrongMethod = (client: Client, requested: AuthMethod, headers?: Record<string, string>) =>
  invalidClient(
    `The OAuth 2.0 Client supports client authentication method '${client.token_endpoint_auth_method}', but method '${requested}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '${requested}'.`,
    headers,
  )

export class ClientAuthenticator {
  private readonly secrets: SecretVerifier
  private readonly now: () => Date
  // A hash of a random value: checking against it makes an unknown client cost as much as a known one.
  private decoy: Promise<string> | undefined

  constructor(private readonly deps: ClientAuthDeps) {
    this.secrets = new SecretVerifier(deps.hasher, deps.cacheSize)
    this.now = deps.now ?? (() => new Date())
  }

  /** Drops what was remembered about a client's secret (the client was deleted or changed). */
  forgetClient(nid: string, clientId: string): void {
    this.secrets.forget(nid, clientId)
  }

  /** The client the request authenticates as; throws invalid_client or invalid_request. */
  async authenticate(req: ClientAuthRequest): Promise<AuthenticatedClient> {
    const { form } = req
    const basic = parseBasic(req.authorization)
    const post = form.client_secret !== undefined
    const assertion = form.client_assertion !== undefined || form.client_assertion_type !== undefined
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if ([basic !== undefined, post, assertion].filter(Boolean).length > 1) {
      throw invalidRequest('Client authentication must use exactly one method, but the request used more than one.')
    }
    let result: AuthenticatedClient
    try {
      if (basic) result = await this.bySecret(basic.id, basic.secret, 'client_secret_basic')
      else if (post) result = await this.bySecret(form.client_id ?? '', form.client_secret ?? '', 'client_secret_post')
      else if (assertion) result = await this.byAssertion(form)
      else result = await this.byNothing(form.client_id)
    } catch (e) {
      if (e instanceof OAuthError && e.error === 'invalid_client') {
        const method: AuthMethod = basic ? 'client_secret_basic' : post ? 'client_secret_post' : assertion ? 'private_key_jwt' : 'none'
        this.logFailure(e, basic?.id ?? form.client_id, method)
      }
      throw e
    }
    // A client_id parameter next to other credentials must name the same client.
    if (form.client_id !== undefined && form.client_id !== result.client.client_id) {
      throw invalidRequest('The client_id parameter does not match the authenticated client.')
    }
    return result
  }

  private async bySecret(id: string, secret: string, method: 'client_secret_basic' | 'client_secret_post'): Promise<AuthenticatedClient> {
    const headers = method === 'client_secret_basic' ? BASIC_CHALLENGE : undefined
    if (id === '') {
      throw invalidRequest('Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.')
    }
    const client = await this.deps.clients.get(id)
    if (!client) {
      await this.spendDecoy(secret)
      throw invalidClient(undefined, headers, 'The requested OAuth 2.0 Client does not exist.')
    }
    // A public client may send its id in Basic with an empty password (as fosite allows).
    if (method === 'client_secret_basic' && secret === '' && client.token_endpoint_auth_method === 'none') {
      return { client, method: 'none' }
    }
    if (client.token_endpoint_auth_method !== method) throw wrongMethod(client, method, headers)
    const expiresAt = client.client_secret_expires_at
    // RFC 7591 §3.2.1: 0 means the secret never expires.
    if (expiresAt > 0 && expiresAt * 1000 <= this.now().getTime()) {
      throw invalidClient('The OAuth 2.0 Client secret has expired.', headers)
    }
    if (!(await this.secrets.verify(client, secret))) {
      throw invalidClient(undefined, headers, 'The presented client secret does not match.')
    }
    return { client, method }
  }

  private async byAssertion(form: Readonly<Record<string, string>>): Promise<AuthenticatedClient> {
    const type = form.client_assertion_type
    if (type !== JWT_BEARER_ASSERTION) {
      throw invalidRequest(`Unknown client_assertion_type '${type ?? ''}'.`)
    }
    const client = await authenticateByAssertion(form.client_assertion ?? '', form.client_id, {
      getClient: (id) => this.deps.clients.get(id),
      tokens: this.deps.tokens,
      audiences: this.deps.assertionAudiences,
      now: this.now,
      clientKeys: this.deps.clientKeys,
    })
    return { client, method: 'private_key_jwt' }
  }

  private async byNothing(id: string | undefined): Promise<AuthenticatedClient> {
    if (id === undefined || id === '') {
      throw invalidRequest('Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.')
    }
    const client = await this.deps.clients.get(id)
    if (!client) throw invalidClient(undefined, undefined, 'The requested OAuth 2.0 Client does not exist.')
    if (client.token_endpoint_auth_method !== 'none') throw wrongMethod(client, 'none')
    return { client, method: 'none' }
  }

  // The operator's side of an invalid_client: which client, which method, and why. Never the
  // secret or the assertion; the reasons are fixed sentences and client metadata.
  private logFailure(e: OAuthError, clientId: string | undefined, method: AuthMethod): void {
    this.deps.logger?.info(
      { client_id: clientId?.slice(0, 200), auth_method: method, reason: e.debug ?? e.hint ?? e.description },
      'client authentication failed',
    )
  }

  // The decoy is checked exactly like a real secret (same hasher, same cost; with bcrypt on the
  // same worker threads), so it costs the same and never blocks the event loop either.
  private async spendDecoy(secret: string): Promise<void> {
    const decoy = (this.decoy ??= this.deps.hasher.hash(randomSecret(32)))
    let hash: string
    try {
      hash = await decoy
    } catch (e) {
      // A failed decoy hash (e.g. the hasher was overloaded) is made again next time.
      if (this.decoy === decoy) this.decoy = undefined
      throw e
    }
    await this.deps.hasher.verify(secret, hash)
  }
}
