// The shape of a grant type. Each grant is one module that declares its facts (type, parameters,
// the client authentication it needs, what it can issue, its lifespan keys, its unit of work, the
// services it takes) next to its handler; grants/index.ts lists the modules, and everything that
// needs to know the grants (token endpoint, discovery, client validation, the CLI) reads that list.
// token.ts authenticates the client, checks it may use the grant, and hands over only the
// parameters the grant declared.
import type { Client, LifespanField } from '../../client/model.js'
import type { Config } from '../../config/types.js'
import type { AuthMethod } from '../client-auth.js'
import type { PkcePolicy } from '../pkce.js'
import type { ScopeMatcher } from '../scopes.js'
import type { IdTokens } from '../tokens/id-token.js'
import type { OpaqueTokens } from '../tokens/opaque-hmac.js'
import type { AutocommitStores, Storage } from '../../unit-of-work.js'
import type { TokenHook } from '../token-hook.js'
import type { DeviceCodes } from '../device-code.js'
import type { KeyRing } from '../../jwk/keyring.js'
import type { TrustedJwtVerifier } from '../../trust/model.js'
import type { AccessTokenResponse, TokenService } from '../tokens/service.js'
import type { HttpRequestFacts } from '../token.js'

export interface GrantRequest {
  client: Client
  /** How the client authenticated; 'none' for public clients. */
  authMethod: AuthMethod
  /** The `scope` parameter, split (RFC 6749 §3.3). */
  scope: string[]
  /** The `audience` parameter(s), split. */
  audience: string[]
  /** grant_type and the declared parameters that were sent, single-valued; never credentials. */
  form: Readonly<Record<string, string>>
  /** This grant's token lifespans for this client (its declared `lifespans` keys, else ttl.*). */
  lifespans: GrantLifespans
  /** Method, URL and headers of the HTTP request (sender-constraining proofs need them). */
  http?: HttpRequestFacts
  /**
   * RFC 9449: the thumbprint of the key whose DPoP proof came with this request, checked by the
   * token endpoint; absent without a proof.
   */
  dpopJkt?: string
}

/** What every grant may use; a grant's own services come through its `dependencies`. */
export interface GrantContext {
  /** Issues tokens; bound to the request's DPoP key when a proof came with it. */
  tokens: TokenService
  scopes: ScopeMatcher
  config: Pick<Readonly<Config>, 'ttl' | 'oauth2'>
  /** Reads outside a transaction; a grant's writes go through one unit of work, so they commit together. */
  storage: Storage
  /** Absent without a key ring; then no ID token can be issued. */
  idTokens: IdTokens | undefined
  /** Checks presented authorization codes. */
  opaque: OpaqueTokens
  pkce: PkcePolicy
  /** Called by every grant once, right before it issues tokens (oauth2.token_hook). */
  tokenHook: TokenHook
  now: () => Date
}

/** Everything the server can offer a grant; each grant takes only what it names. */
export interface GrantServices {
  /** urls.self.issuer */
  issuer: string
  /** The server's signing keys; absent without a key ring. */
  keys: KeyRing | undefined
  /** What an assertion's `aud` may name (the token endpoint URLs, the issuer). */
  assertionAudiences: readonly string[]
  /** JWTs from issuers trusted through /admin/trust/grants/jwt-bearer/issuers; absent when off. */
  trustedJwts?: TrustedJwtVerifier
  /** RFC 8628 device authorizations; absent when off. */
  device?: { store: AutocommitStores['device']; codes: DeviceCodes }
}

/** The client lifespan fields (client/model.ts) that override ttl.* for this grant's tokens. */
export interface GrantLifespanKeys {
  access?: LifespanField
  refresh?: LifespanField
  idToken?: LifespanField
}

export interface GrantModule<D = unknown> {
  /** The grant_type value. */
  type: string
  /** Parameters the grant reads besides grant_type; anything else is dropped before handle(). */
  parameters: readonly string[]
  /** Declared parameters that may be repeated (joined with spaces); any other repeated one is refused. */
  repeatable?: readonly string[]
  /**
   * 'confidential': only a client that authenticated may use it (public clients are refused
   * before the grant runs); 'any': public clients too.
   */
  clientAuthentication: 'confidential' | 'any'
  /**
   * Client validation refuses the grant in the grant_types of a public client (Hydra does so for
   * client_credentials only; other confidential grants are refused at the token endpoint).
   */
  refusedAtRegistrationForPublicClients?: boolean
  /** What it can issue besides an access token. */
  issues: { refreshToken: boolean; idToken: boolean }
  lifespans: GrantLifespanKeys
  /**
   * 'transaction': consumes a one-time credential and issues in one unit of work (ctx.storage.transaction);
   * 'single-write': issues with one insert, nothing to consume.
   */
  unitOfWork: 'transaction' | 'single-write'
  /** Picks the services the grant needs; undefined turns the grant off on this server. */
  dependencies(services: GrantServices): D | undefined
  handle(req: GrantRequest, ctx: GrantContext, deps: D): Promise<AccessTokenResponse>
}

/** Declares a grant module with its dependency type checked against its handler. */
export function defineGrant<D>(module: GrantModule<D>): GrantModule<D> {
  return module
}

/** A grant module with its dependencies resolved: what the token endpoint dispatches to. */
export interface Grant {
  module: GrantModule<unknown>
  type: string
  parameters: readonly string[]
  handle(req: GrantRequest, ctx: GrantContext): Promise<AccessTokenResponse>
}

/** Resolves a module's dependencies; undefined when the server lacks what it needs. */
export function activate<D>(module: GrantModule<D>, services: GrantServices): Grant | undefined {
  const deps = module.dependencies(services)
  if (deps === undefined) return undefined
  return {
    module: module as GrantModule<unknown>,
    type: module.type,
    parameters: module.parameters,
    handle: (req, ctx) => module.handle(req, ctx, deps),
  }
}

/** Milliseconds; refresh null = never expires. */
export interface GrantLifespans {
  access: number
  refresh: number | null
  idToken: number
}

/** The lifespans of a grant's tokens for this client: its own override, else ttl.*. */
export function grantLifespans(
  module: Pick<GrantModule, 'lifespans'>,
  client: Pick<Client, 'lifespans'>,
  ttl: Pick<Config['ttl'], 'access_token' | 'refresh_token' | 'id_token'>,
): GrantLifespans {
  const own = (key: LifespanField | undefined): number | null => (key === undefined ? null : client.lifespans[key])
  const refresh = own(module.lifespans.refresh) ?? ttl.refresh_token
  return {
    access: own(module.lifespans.access) ?? ttl.access_token,
    refresh: refresh < 0 ? null : refresh,
    idToken: own(module.lifespans.idToken) ?? ttl.id_token,
  }
}
