import type { Kysely, Selectable, Insertable } from 'kysely'
import { LIFESPAN_FIELDS, type Client, type Lifespans } from '../../client/model.js'
import type { ClientListQuery, ClientStore, Page } from '../../client/store.js'
import { conflict } from '../../oauth2/errors.js'
import { toBool, toDate, toNumber } from '../db.js'
import type { ClientTable, Database } from '../schema.js'
import { isUniqueViolation } from './errors.js'
import { keysetPage } from './keyset-page.js'

type Row = Selectable<ClientTable>

/** Every table whose rows belong to one client (by nid + client_id) and go with it. */
export const CLIENT_OWNED_TABLES = [
  'hydra_oauth2_access',
  'hydra_oauth2_refresh',
  'hydra_oauth2_code',
  'hydra_oauth2_device_auth_codes',
  'hydra_oauth2_flow',
  'hydra_oauth2_logout_request',
  'orthrus_oauth2_par',
] as const

const list = (v: string): string[] => {
  const parsed: unknown = JSON.parse(v)
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
}

function fromRow(r: Row): Client {
  const lifespans = Object.fromEntries(
    LIFESPAN_FIELDS.map((f) => [f, r[f] === null ? null : toNumber(r[f])]),
  ) as Lifespans
  return {
    pk: r.pk,
    nid: r.nid,
    client_id: r.id,
    client_name: r.client_name,
    secret_hash: r.client_secret,
    rotated_secret_hashes: r.rotated_secrets === null ? [] : list(r.rotated_secrets),
    redirect_uris: list(r.redirect_uris),
    grant_types: list(r.grant_types),
    response_types: list(r.response_types),
    scope: r.scope,
    audience: list(r.audience),
    owner: r.owner,
    policy_uri: r.policy_uri,
    tos_uri: r.tos_uri,
    client_uri: r.client_uri,
    logo_uri: r.logo_uri,
    contacts: list(r.contacts),
    client_secret_expires_at: toNumber(r.client_secret_expires_at),
    sector_identifier_uri: r.sector_identifier_uri,
    jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as Client['jwks']),
    jwks_uri: r.jwks_uri,
    request_uris: list(r.request_uris),
    token_endpoint_auth_method: r.token_endpoint_auth_method,
    token_endpoint_auth_signing_alg: r.token_endpoint_auth_signing_alg,
    request_object_signing_alg: r.request_object_signing_alg,
    userinfo_signed_response_alg: r.userinfo_signed_response_alg,
    subject_type: r.subject_type,
    allowed_cors_origins: list(r.allowed_cors_origins),
    frontchannel_logout_uri: r.frontchannel_logout_uri,
    frontchannel_logout_session_required: toBool(r.frontchannel_logout_session_required),
    post_logout_redirect_uris: list(r.post_logout_redirect_uris),
    backchannel_logout_uri: r.backchannel_logout_uri,
    backchannel_logout_session_required: toBool(r.backchannel_logout_session_required),
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as unknown),
    registration_access_token_hash: r.registration_access_token_signature,
    skip_consent: toBool(r.skip_consent),
    skip_logout_consent: toBool(r.skip_logout_consent),
    require_pushed_authorization_requests: toBool(r.require_pushed_authorization_requests),
    access_token_strategy: r.access_token_strategy as Client['access_token_strategy'],
    lifespans,
    ...(toBool(r.dpop_bound_access_tokens) ? { dpop_bound_access_tokens: true } : {}),
    created_at: toDate(r.created_at),
    updated_at: toDate(r.updated_at),
  }
}

function toRow(c: Client): Insertable<ClientTable> {
  const row: Insertable<ClientTable> = {
    pk: c.pk,
    nid: c.nid,
    id: c.client_id,
    client_name: c.client_name,
    client_secret: c.secret_hash,
    rotated_secrets: c.rotated_secret_hashes.length > 0 ? JSON.stringify(c.rotated_secret_hashes) : null,
    redirect_uris: JSON.stringify(c.redirect_uris),
    grant_types: JSON.stringify(c.grant_types),
    response_types: JSON.stringify(c.response_types),
    scope: c.scope,
    audience: JSON.stringify(c.audience),
    owner: c.owner,
    policy_uri: c.policy_uri,
    tos_uri: c.tos_uri,
    client_uri: c.client_uri,
    logo_uri: c.logo_uri,
    contacts: JSON.stringify(c.contacts),
    client_secret_expires_at: c.client_secret_expires_at,
    sector_identifier_uri: c.sector_identifier_uri,
    jwks: c.jwks === null ? null : JSON.stringify(c.jwks),
    jwks_uri: c.jwks_uri,
    request_uris: JSON.stringify(c.request_uris),
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    token_endpoint_auth_signing_alg: c.token_endpoint_auth_signing_alg,
    request_object_signing_alg: c.request_object_signing_alg,
    userinfo_signed_response_alg: c.userinfo_signed_response_alg,
    subject_type: c.subject_type,
    allowed_cors_origins: JSON.stringify(c.allowed_cors_origins),
    frontchannel_logout_uri: c.frontchannel_logout_uri,
    frontchannel_logout_session_required: c.frontchannel_logout_session_required,
    post_logout_redirect_uris: JSON.stringify(c.post_logout_redirect_uris),
    backchannel_logout_uri: c.backchannel_logout_uri,
    backchannel_logout_session_required: c.backchannel_logout_session_required,
    metadata: c.metadata === null || c.metadata === undefined ? null : JSON.stringify(c.metadata),
    registration_access_token_signature: c.registration_access_token_hash,
    skip_consent: c.skip_consent,
    skip_logout_consent: c.skip_logout_consent,
    require_pushed_authorization_requests: c.require_pushed_authorization_requests,
    access_token_strategy: c.access_token_strategy,
    dpop_bound_access_tokens: c.dpop_bound_access_tokens === true,
    created_at: c.created_at,
    updated_at: c.updated_at,
  }
  for (const f of LIFESPAN_FIELDS) row[f] = c.lifespans[f]
  return row
}

export class SqlClientStore implements ClientStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  async get(id: string): Promise<Client | undefined> {
    const row = await this.db
      .selectFrom('hydra_client')
      .selectAll()
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async create(c: Client): Promise<Client> {
    try {
      await this.db.insertInto('hydra_client').values(toRow({ ...c, nid: this.nid })).execute()
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`A client with id "${c.client_id}" exists already.`)
      throw e
    }
    return { ...c, nid: this.nid }
  }

  async update(c: Client): Promise<Client | undefined> {
    const { pk: _pk, nid: _nid, id, created_at: _created, ...changes } = toRow(c)
    await this.db
      .updateTable('hydra_client')
      .set(changes)
      .where('nid', '=', this.nid)
      .where('id', '=', id)
      .execute()
    // MySQL counts only rows whose values changed, so the row count cannot tell "unknown id".
    return this.get(id)
  }

  /**
   * Deletes the client and everything issued to it, in one transaction: its tokens, codes,
   * device authorizations, login/consent flows (with their remembered consents) and logout
   * requests. The foreign keys cascade as well; the explicit deletes keep this true where they
   * are not enforced (SQLite without foreign keys, or a database older than the cascades).
   */
  async delete(id: string): Promise<boolean> {
    const run = async (trx: Kysely<Database>): Promise<boolean> => {
      for (const table of CLIENT_OWNED_TABLES) {
        await trx.deleteFrom(table).where('nid', '=', this.nid).where('client_id', '=', id).execute()
      }
      const res = await trx.deleteFrom('hydra_client').where('nid', '=', this.nid).where('id', '=', id).executeTakeFirst()
      return Number(res.numDeletedRows) > 0
    }
    // Inside a unit of work the store is already bound to its transaction.
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run)
  }

  async list(q: ClientListQuery): Promise<Page<Client>> {
    let base = this.db.selectFrom('hydra_client').where('nid', '=', this.nid)
    if (q.name !== undefined) base = base.where('client_name', '=', q.name)
    if (q.owner !== undefined) base = base.where('owner', '=', q.owner)
    return keysetPage(
      q.pageSize,
      {
        rows: (limit) => (q.after === undefined ? base : base.where('id', '>', q.after)).selectAll().orderBy('id').limit(limit).execute(),
        count: () => base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      },
      fromRow,
    )
  }
}
