// Pushed Authorization Requests (RFC 9126). A client authenticates as at the token endpoint and
// POSTs its authorization request; it is validated as /oauth2/auth would validate it (request
// objects included), stored with its parameters sealed, and answered with a one-time
// `request_uri` the authorization endpoint later trades back for those parameters — only for
// the same client and only within the configured lifespan.
import { createHash, randomBytes } from 'node:crypto'
import type { Client } from '../client/model.js'
import type { SessionSealer } from '../crypto/session-data.js'
import { AuthorizeParams } from './authorize-params.js'
import { validateAuthorizeRequest, type AuthorizeValidationDeps } from './authorize.js'
import { invalidRequestUri } from './authorize-errors.js'
import type { ClientAuthenticator } from './client-auth.js'
import { OAuthError, invalidRequest } from './errors.js'
import { credentialParams, singleValued, type FormParams } from './token.js'

/** RFC 9126 §2.2: the URN namespace of the request_uri values this server hands out. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'

/** One pushed request as stored (orthrus_oauth2_par). */
export interface PushedRequest {
  /** sha256 (hex) of the request_uri. */
  signature: string
  clientId: string
  /** The validated parameters (JSON list of pairs), sealed. */
  requestData: string
  used: boolean
  requestedAt: Date
  expiresAt: Date
}

export interface PushedRequestStore {
  createPushedRequest(r: PushedRequest): Promise<void>
  getPushedRequest(signature: string): Promise<PushedRequest | undefined>
  /** Marks an unused request used (conditional UPDATE); false when it was used already. */
  usePushedRequest(signature: string): Promise<boolean>
}

export interface PushedAuthorizationResponse {
  request_uri: string
  expires_in: number
}

export interface PushedAuthorizationDeps {
  store: PushedRequestStore
  clientAuth: Pick<ClientAuthenticator, 'authenticate'>
  /** The authorization endpoint's own validation, so a pushed request is held to the same rules. */
  validation: AuthorizeValidationDeps
  sealer: SessionSealer
  /** oauth2.pushed_authorization_requests.lifespan (ms). */
  lifespanMs: number
  now?: () => Date
}

const SEAL_PURPOSE = 'par'
// The client's credentials authenticate the push; they are not authorization request parameters.
const CREDENTIALS = new Set(['client_secret', 'client_assertion', 'client_assertion_type'])
// Already merged into the stored parameters by validation (RFC 9126 §3 allows a request object).
const NOT_STORED = new Set([...CREDENTIALS, 'request'])

const signatureOf = (requestUri: string): string => createHash('sha256').update(requestUri, 'utf8').digest('hex')

/** Whether `requestUri` names a pushed request of this server (rather than a request object's URL). */
export const isPushedRequestUri = (requestUri: string): boolean => requestUri.startsWith(REQUEST_URI_PREFIX)

export class PushedAuthorizations {
  private readonly now: () => Date

  constructor(private readonly deps: PushedAuthorizationDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  /** POST /oauth2/par: authenticates the client, validates and stores its request (RFC 9126 §2). */
  async push(authorization: string | undefined, form: FormParams): Promise<PushedAuthorizationResponse> {
    const credentials: Record<string, string | readonly string[]> = {}
    for (const name of ['client_id', ...CREDENTIALS]) if (form[name] !== undefined) credentials[name] = form[name]
    const { client } = await this.deps.clientAuth.authenticate({ authorization, form: credentialParams(singleValued(credentials)) })
    const params = new AuthorizeParams()
    for (const [name, value] of AuthorizeParams.fromRecord(form).pairs()) if (!CREDENTIALS.has(name)) params.add(name, value)
    // §2.1: a pushed request cannot itself point somewhere else.
    if (params.has('request_uri')) {
      throw invalidRequest("The 'request_uri' parameter must not be used in a pushed authorization request (RFC 9126 §2.1).")
    }
    const given = params.get('client_id')
    if (given !== '' && given !== client.client_id) {
      throw invalidRequest("The 'client_id' parameter does not match the authenticated OAuth 2.0 Client.")
    }
    params.set('client_id', client.client_id)
    const v = await validateAuthorizeRequest(params, { ...this.deps.validation, getClient: async (id) => (id === client.client_id ? client : undefined) })
    // §2.3: errors are answered here, as at the token endpoint, never redirected.
    if (!v.ok) throw v.error
    const stored = v.params.pairs().filter(([name]) => !NOT_STORED.has(name))
    const requestUri = `${REQUEST_URI_PREFIX}${randomBytes(32).toString('base64url')}`
    const requestedAt = this.now()
    await this.deps.store.createPushedRequest({
      signature: signatureOf(requestUri),
      clientId: client.client_id,
      requestData: this.deps.sealer.seal(JSON.stringify(stored), SEAL_PURPOSE),
      used: false,
      requestedAt,
      expiresAt: new Date(requestedAt.getTime() + this.deps.lifespanMs),
    })
    return { request_uri: requestUri, expires_in: Math.max(1, Math.floor(this.deps.lifespanMs / 1000)) }
  }

  /**
   * The stored parameters behind a pushed request_uri, used up by this call (RFC 9126 §4). Only
   * `client_id` of `params` counts besides the request_uri; everything else comes from the push.
   */
  async resolve(params: AuthorizeParams): Promise<AuthorizeParams> {
    if (params.all('request_uri').length > 1 || params.all('client_id').length > 1) {
      throw invalidRequest("The parameters 'client_id' and 'request_uri' must not be given more than once.")
    }
    const requestUri = params.get('request_uri')
    const clientId = params.get('client_id')
    if (clientId === '') throw invalidRequest("The 'client_id' parameter is required with a pushed authorization request_uri.")
    const signature = signatureOf(requestUri)
    const row = await this.deps.store.getPushedRequest(signature)
    if (!row) throw invalidRequestUri('The request_uri is not known to this server.')
    if (row.clientId !== clientId) throw invalidRequestUri('The request_uri was pushed by another OAuth 2.0 Client.')
    if (row.expiresAt.getTime() <= this.now().getTime()) throw invalidRequestUri('The request_uri has expired.')
    if (row.used || !(await this.deps.store.usePushedRequest(signature))) {
      throw invalidRequestUri('The request_uri has been used already.')
    }
    let pairs: unknown
    try {
      pairs = JSON.parse(this.deps.sealer.open(row.requestData, SEAL_PURPOSE).toString('utf8'))
    } catch (e) {
      if (e instanceof OAuthError) throw e
      throw invalidRequestUri('The pushed authorization request could not be read.')
    }
    if (!Array.isArray(pairs)) throw invalidRequestUri('The pushed authorization request could not be read.')
    return new AuthorizeParams(pairs.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string'))
  }
}

/** RFC 9126 §5 / §6: PAR is required by the server (oauth2.pushed_authorization_requests.required) or by the client. */
export const pushedRequestRequired = (serverWide: boolean, client: Pick<Client, 'require_pushed_authorization_requests'>): boolean =>
  serverWide || client.require_pushed_authorization_requests
