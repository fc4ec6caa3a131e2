import { createRequire } from 'node:module'
import type * as JsonPatch from 'fast-json-patch'

/** JSON Patch is loaded on the first PATCH of a client, not by every server at start-up. */
const loadPatch = (): typeof JsonPatch => createRequire(import.meta.url)('fast-json-patch') as typeof JsonPatch
import type { SecretHasher } from '../crypto/hasher.js'
import { randomId, randomSecret } from '../crypto/random.js'
import { invalidRequest, notFound, type OAuthError } from '../oauth2/errors.js'
import { isPublicClient, MAX_ROTATED_SECRETS, type Client, type ClientMetadata } from './model.js'
import { presentClient } from './present.js'
import { checkSectorIdentifier, fetchSectorDocument, type SectorFetcher } from './sector-identifier.js'
import type { UnitOfWork } from '../unit-of-work.js'
import { checkServerCalledUris } from './outbound-uris.js'
import type { OutboundFetcher } from '../outbound/fetcher.js'
import type { ClientListQuery, ClientStore, Page } from './store.js'
import { validateClientMetadata, validateLifespans } from './validate.js'

/**
 * A JSON Patch document as the route schema (http/client-routes.ts) admits it: an array of
 * objects whose op, path and from are strings or null. Anything else was refused by the schema,
 * in the words of `patchRefused`.
 */
export type JsonPatchBody = ReadonlyArray<{ op?: string | null; path?: string | null; from?: string | null; value?: unknown }>

const NOT_A_PATCH = 'The body must be a JSON Patch document (an array of operations).'
const invalidPatch = (reason: string) => invalidRequest(`The JSON Patch is invalid: ${reason}.`)

/**
 * A patch the route schema refused (`at` is the refused value's path), in the words of the JSON
 * Patch library's own checks, which still judge the operations (known op, path from the root).
 */
export function patchRefused(at: readonly string[]): OAuthError {
  const [index, member] = at
  if (index === undefined) return invalidRequest(NOT_A_PATCH)
  if (member === undefined) return invalidPatch('Operation is not an object')
  if (member === 'op') return invalidPatch('Operation `op` property is not one of operations defined in RFC-6902')
  return invalidPatch(`Operation \`${member}\` property is not a string`)
}

export interface ClientServiceDeps {
  /** Reads and single-row writes; deletion (with what hangs off a client) runs in a unit of work. */
  clients: Omit<ClientStore, 'delete'>
  units: UnitOfWork
  hasher: SecretHasher
  dev: boolean
  subjectTypes: string[]
  /** Fetches sector_identifier_uri documents (default: a bounded GET); tests inject their own. */
  fetchSector?: SectorFetcher
  /** The outbound address policy registered URLs are checked against (clients.http.*). */
  outbound?: OutboundFetcher
  now?: () => Date
}

/** A client as the API answers it, plus the plaintext secret when one was just set. */
export interface ClientView {
  client: Client
  secret?: string
}

// Admin-side lifecycle of OAuth 2.0 clients; knows Hydra's rules, not HTTP.
export class ClientService {
  private readonly now: () => Date

  constructor(private readonly deps: ClientServiceDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  private async secretFor(meta: ClientMetadata, existing?: Client): Promise<{ hash: string; secret?: string }> {
    if (isPublicClient(meta)) return { hash: '' }
    if (meta.client_secret !== undefined) return { hash: await this.deps.hasher.hash(meta.client_secret), secret: meta.client_secret }
    if (existing && existing.secret_hash !== '') return { hash: existing.secret_hash }
    const secret = randomSecret()
    return { hash: await this.deps.hasher.hash(secret), secret }
  }

  private async validate(body: unknown, existing?: Client): Promise<ClientMetadata> {
    const meta = validateClientMetadata(body, {
      dev: this.deps.dev,
      mode: 'admin',
      subjectTypes: this.deps.subjectTypes,
      secretHashedWith: this.deps.hasher.algorithm,
      ...(existing ? { existing } : {}),
    })
    await checkServerCalledUris(meta, this.deps.outbound)
    // As Hydra does for admin-created clients too: the document must list every redirect_uri.
    await checkSectorIdentifier(meta.sector_identifier_uri, meta.redirect_uris, {
      dev: this.deps.dev,
      fetch: this.deps.fetchSector ?? fetchSectorDocument,
    })
    return meta
  }

  async create(body: unknown): Promise<ClientView> {
    const meta = await this.validate(body)
    const { hash, secret } = await this.secretFor(meta)
    const { client_secret: _plain, ...rest } = meta
    const now = this.now()
    const client = await this.deps.clients.create({
      ...rest,
      pk: randomId(),
      nid: '',
      secret_hash: hash,
      rotated_secret_hashes: [],
      registration_access_token_hash: '',
      created_at: now,
      updated_at: now,
    })
    return { client, ...(secret !== undefined ? { secret } : {}) }
  }

  async get(id: string): Promise<Client> {
    const c = await this.deps.clients.get(id)
    if (!c) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`)
    return c
  }

  list(q: ClientListQuery): Promise<Page<Client>> {
    return this.deps.clients.list(q)
  }

  /** PUT: the body is the whole new client; the id in the path wins. */
  async replace(id: string, body: unknown): Promise<ClientView> {
    const existing = await this.get(id)
    const doc = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, client_id: id } : body
    return this.save(existing, await this.validate(doc, existing))
  }

  /** PATCH with an RFC 6902 JSON Patch applied to the client's API representation. */
  async patch(id: string, ops: JsonPatchBody | null | undefined): Promise<ClientView> {
    const existing = await this.get(id)
    // An absent patch: any other body that is not an array was refused by the route schema.
    if (!ops) throw invalidRequest(NOT_A_PATCH)
    // An empty secret slot lets `replace /client_secret` work like Hydra's; left empty, it means "keep".
    const current = (): Record<string, unknown> => ({ ...presentClient(existing), client_secret: '' })
    const fjp = loadPatch()
    const invalid = fjp.validate(ops as JsonPatch.Operation[], current())
    if (invalid) throw invalidPatch(invalid.message.split('\n')[0] ?? invalid.name)
    let doc: Record<string, unknown>
    try {
      doc = fjp.applyPatch(current(), ops as JsonPatch.Operation[], false, false).newDocument
    } catch (e) {
      // A failing `test` operation or an unreachable path.
      const reason = e instanceof Error ? e.message.split('\n')[0] : 'unknown error'
      throw invalidRequest(`The JSON Patch could not be applied: ${reason}.`)
    }
    if (doc.client_id !== id) throw invalidRequest('The client_id of an existing client cannot be changed.')
    if (doc.client_secret === '') delete doc.client_secret
    return this.save(existing, await this.validate(doc, existing))
  }

  async setLifespans(id: string, body: unknown): Promise<Client> {
    const existing = await this.get(id)
    const lifespans = validateLifespans(body)
    return this.store({ ...existing, lifespans, updated_at: this.now() })
  }

  /**
   * POST /admin/clients/{id}/secrets/rotate: a new generated secret (shown this once) replaces
   * the current one, whose hash joins the rotated ones (newest first, at most
   * MAX_ROTATED_SECRETS): the previous secrets keep authenticating until they are deleted.
   */
  async rotateSecret(id: string): Promise<ClientView> {
    const existing = await this.get(id)
    checkRotatable(existing)
    const rotated = existing.secret_hash === '' ? existing.rotated_secret_hashes : [existing.secret_hash, ...existing.rotated_secret_hashes]
    const secret = randomSecret()
    const client = await this.store({
      ...existing,
      secret_hash: await this.deps.hasher.hash(secret),
      rotated_secret_hashes: rotated.slice(0, MAX_ROTATED_SECRETS),
      updated_at: this.now(),
    })
    return { client, secret }
  }

  /** DELETE /admin/clients/{id}/secrets/rotate: only the current secret authenticates from now on. */
  async deleteRotatedSecrets(id: string): Promise<Client> {
    const existing = await this.get(id)
    checkRotatable(existing)
    return this.store({ ...existing, rotated_secret_hashes: [], updated_at: this.now() })
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.units.transaction((tx) => tx.clients.delete(id)))) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`)
  }

  private async save(existing: Client, meta: ClientMetadata): Promise<ClientView> {
    const { hash, secret } = await this.secretFor(meta, existing)
    const { client_secret: _plain, ...rest } = meta
    const client = await this.store({
      ...existing,
      ...rest,
      client_id: existing.client_id,
      secret_hash: hash,
      // As Hydra: setting a new secret (or none) ends the validity of the rotated ones.
      rotated_secret_hashes: hash === existing.secret_hash ? existing.rotated_secret_hashes : [],
      updated_at: this.now(),
    })
    return { client, ...(secret !== undefined ? { secret } : {}) }
  }

  private async store(c: Client): Promise<Client> {
    const saved = await this.deps.clients.update(c)
    if (!saved) throw notFound(`The OAuth 2.0 client "${c.client_id}" does not exist.`)
    return saved
  }
}

/** Only clients that authenticate with their secret have one to rotate (400 otherwise, as Hydra). */
function checkRotatable(c: Client): void {
  const method = c.token_endpoint_auth_method
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw invalidRequest(`The client is configured to use the "${method}" authentication method, which does not support client secret rotation.`)
  }
}
