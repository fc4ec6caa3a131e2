// Dynamic client registration: RFC 7591 (register), RFC 7592 (read, update, delete with the
// registration access token) and OpenID Connect Dynamic Client Registration 1.0, with Hydra's
// rules: the server chooses id and secret, admin-only fields stay untouched, and the token is
// rotated on every update.
import type { UnitOfWork } from '../unit-of-work.js'
import type { SecretHasher } from '../crypto/hasher.js'
import { randomId, randomSecret } from '../crypto/random.js'
import { OAuthError } from '../oauth2/errors.js'
import { isPublicClient, type Client, type ClientMetadata } from './model.js'
import { presentClient } from './present.js'
import { checkRegistrationPolicy, type RegistrationPolicy } from './registration-policy.js'
import type { RegistrationTokens } from './registration-token.js'
import { checkSectorIdentifier, type SectorFetcher } from './sector-identifier.js'
import { checkServerCalledUris } from './outbound-uris.js'
import type { OutboundFetcher } from '../outbound/fetcher.js'
import type { ClientStore } from './store.js'
import { validateClientMetadata } from './validate.js'

/** Path of the registration endpoint under the public URL; a client's own URI appends its id. */
export const REGISTRATION_PATH = '/oauth2/register'

export interface DynamicRegistrationDeps {
  /** Reads and single-row writes; deletion runs in a unit of work. */
  clients: Omit<ClientStore, 'delete'>
  units: UnitOfWork
  hasher: SecretHasher
  tokens: RegistrationTokens
  dev: boolean
  subjectTypes: string[]
  /** oidc.dynamic_client_registration.default_scope */
  defaultScope: string[]
  /** oidc.dynamic_client_registration.allowed_*: what a registrant may give itself. */
  policy: RegistrationPolicy
  /** The public base URL (urls.self.public). */
  publicUrl: string
  fetchSector: SectorFetcher
  /** The outbound address policy registered URLs are checked against (clients.http.*). */
  outbound?: OutboundFetcher
  now?: () => Date
}

const INVALID_TOKEN = 'The access token provided is expired, revoked, malformed, or invalid for other reasons.'

// RFC 7592 §3: a missing or wrong registration access token is answered as RFC 6750 §3.1
// describes. An unknown client id gets the same answer, so ids cannot be probed.
const invalidRegistrationToken = (missing: boolean): OAuthError =>
  new OAuthError(
    'invalid_token',
    INVALID_TOKEN,
    401,
    'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.',
    undefined,
    // RFC 6750 §3.1: no error code in the challenge when no credentials were sent at all.
    { 'www-authenticate': missing ? 'Bearer' : `Bearer error="invalid_token", error_description="${INVALID_TOKEN}"` },
  )

/** The answer of every registration endpoint but DELETE. */
export type RegistrationResponse = Record<string, unknown>

export class DynamicRegistration {
  private readonly now: () => Date

  constructor(private readonly deps: DynamicRegistrationDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  /** registration_client_uri (RFC 7592 §3). */
  clientUri(id: string): string {
    const url = new URL(this.deps.publicUrl)
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${REGISTRATION_PATH}/${encodeURIComponent(id)}`
    url.search = ''
    url.hash = ''
    return url.href
  }

  private async validate(body: unknown, existing?: Client): Promise<ClientMetadata> {
    const meta = validateClientMetadata(body, {
      dev: this.deps.dev,
      mode: 'dynamic',
      subjectTypes: this.deps.subjectTypes,
      defaultScope: this.deps.defaultScope,
      ...(existing ? { existing } : {}),
    })
    // On registration and on the client's own update alike: a PUT must not widen what POST refused.
    checkRegistrationPolicy(meta, this.deps.policy)
    await checkServerCalledUris(meta, this.deps.outbound)
    await checkSectorIdentifier(meta.sector_identifier_uri, meta.redirect_uris, {
      dev: this.deps.dev,
      fetch: this.deps.fetchSector,
    })
    return meta
  }

  private respond(client: Client, extra: { secret?: string; token?: string }): RegistrationResponse {
    const out = presentClient(client, extra.secret !== undefined ? { secret: extra.secret } : {})
    // Hydra keeps an administrator's metadata away from the client itself.
    delete out.metadata
    if (extra.token !== undefined) out.registration_access_token = extra.token
    out.registration_client_uri = this.clientUri(client.client_id)
    return out
  }

  /** RFC 7591 §3.1: POST /oauth2/register. */
  async register(body: unknown): Promise<RegistrationResponse> {
    const meta = await this.validate(body)
    const secret = isPublicClient(meta) ? undefined : randomSecret()
    const { token, signature } = this.deps.tokens.issue()
    const { client_secret: _none, ...rest } = meta
    const now = this.now()
    const client = await this.deps.clients.create({
      ...rest,
      pk: randomId(),
      nid: '',
      secret_hash: secret === undefined ? '' : await this.deps.hasher.hash(secret),
      rotated_secret_hashes: [],
      registration_access_token_hash: signature,
      created_at: now,
      updated_at: now,
    })
    return this.respond(client, { token, ...(secret !== undefined ? { secret } : {}) })
  }

  /** The client `id` when `authorization` carries its registration access token. */
  async authenticate(id: string, authorization: string | undefined): Promise<Client> {
    if (authorization === undefined || authorization === '') throw invalidRegistrationToken(true)
    // RFC 6750 §2.1: `Bearer` followed by the token.
    const m = /^bearer +([\x21-\x7e]+)\s*$/i.exec(authorization)
    const token = m?.[1]
    if (token === undefined) throw invalidRegistrationToken(false)
    const client = await this.deps.clients.get(id)
    const signature = client?.registration_access_token_hash ?? ''
    // Clients created through the admin API have no token and can never be managed here.
    if (!client || signature === '' || !this.deps.tokens.verify(token, signature)) throw invalidRegistrationToken(false)
    return client
  }

  /** RFC 7592 §2.1: GET /oauth2/register/{id}; the secret is never shown again. */
  async read(id: string, authorization: string | undefined): Promise<RegistrationResponse> {
    return this.respond(await this.authenticate(id, authorization), {})
  }

  /** RFC 7592 §2.2: PUT replaces the client's metadata; a new registration token is issued. */
  async update(id: string, authorization: string | undefined, body: unknown): Promise<RegistrationResponse> {
    const existing = await this.authenticate(id, authorization)
    const meta = await this.validate(body, existing)
    let secretHash = existing.secret_hash
    let secret: string | undefined
    if (isPublicClient(meta)) secretHash = ''
    else if (secretHash === '') {
      // A public client turned confidential needs a secret, which is shown this once.
      secret = randomSecret()
      secretHash = await this.deps.hasher.hash(secret)
    }
    const { token, signature } = this.deps.tokens.issue()
    const { client_secret: _none, ...rest } = meta
    const saved = await this.deps.clients.update({
      ...existing,
      ...rest,
      client_id: existing.client_id,
      secret_hash: secretHash,
      // A secret that changed (or went away) ends the validity of the rotated ones.
      rotated_secret_hashes: secretHash === existing.secret_hash ? existing.rotated_secret_hashes : [],
      registration_access_token_hash: signature,
      updated_at: this.now(),
    })
    if (!saved) throw invalidRegistrationToken(false)
    return this.respond(saved, { token, ...(secret !== undefined ? { secret } : {}) })
  }

  /** RFC 7592 §2.3: DELETE /oauth2/register/{id}. */
  async delete(id: string, authorization: string | undefined): Promise<void> {
    await this.authenticate(id, authorization)
    if (!(await this.deps.units.transaction((tx) => tx.clients.delete(id)))) throw invalidRegistrationToken(false)
  }
}
