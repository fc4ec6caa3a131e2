// The token endpoint (RFC 6749 §3.2): checks the request, authenticates the client and hands
// over to the grant named by grant_type.
import type { ClientAuthenticator } from './client-auth.js'
import { invalidRequest, unauthorizedClient, unsupportedGrantType } from './errors.js'
import type { Grant, GrantContext } from './grants/grant.js'
import { splitAudience, splitScope } from './scopes.js'
import type { AccessTokenResponse } from './tokens/service.js'
import type { GrantObserver } from '../observability/observer.js'

/** A form body as the edge parsed it: a repeated parameter is an array. */
export type FormParams = Readonly<Record<string, string | readonly string[]>>

export interface TokenRequest {
  /** The Authorization header, if any. */
  authorization: string | undefined
  form: FormParams
}

// RFC 8693 §2.1 repeats `audience` (and RFC 8707 `resource`) for several values; everything
// else appears at most once.
const REPEATABLE = new Set(['audience', 'resource'])

const CREDENTIALS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const

/**
 * The form with every parameter single-valued. RFC 6749 §3.2: "Request and response parameters
 * MUST NOT be included more than once."
 */
export function singleValued(form: FormParams, repeatable: ReadonlySet<string> = new Set()): Record<string, string> {
  // No prototype: a parameter named like an Object.prototype member is just a parameter.
  const out = Object.create(null) as Record<string, string>
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === 'string') out[name] = value
    else if (!repeatable.has(name)) throw invalidRequest(`The request parameter '${name}' must only be included once.`)
  }
  return out
}

/** The credential parameters, for client authentication; nothing else. */
export function credentialParams(form: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of CREDENTIALS) if (form[name] !== undefined) out[name] = form[name]
  return out
}

export interface TokenEndpointDeps {
  grants: readonly Grant[]
  clientAuth: ClientAuthenticator
  context: GrantContext
  /** Told about every grant of a supported type (metrics, tracing); none by default. */
  observer?: GrantObserver
}

export class TokenEndpoint {
  private readonly grants: ReadonlyMap<string, Grant>
  private readonly observer: GrantObserver | undefined

  constructor(private readonly deps: TokenEndpointDeps) {
    this.grants = new Map(deps.grants.map((g) => [g.type, g]))
    this.observer = deps.observer
  }

  /** The grant types this endpoint serves. */
  get grantTypes(): string[] {
    return [...this.grants.keys()]
  }

  async handle(req: TokenRequest): Promise<AccessTokenResponse> {
    const form = singleValued(req.form, REPEATABLE)
    const grantType = form.grant_type
    if (grantType === undefined || grantType === '') throw invalidRequest("Request parameter 'grant_type' is missing.")
    const grant = this.grants.get(grantType)
    // Checked before authenticating: an unknown grant costs no secret verification.
    if (!grant) throw unsupportedGrantType(`The grant type '${grantType}' is not supported by this server.`)
    const { client, method } = await this.deps.clientAuth.authenticate({
      authorization: req.authorization,
      form: credentialParams(form),
    })
    if (!client.grant_types.includes(grantType)) {
      throw unauthorizedClient(`The OAuth 2.0 Client is not allowed to use authorization grant '${grantType}'.`)
    }
    const kept: Record<string, string> = { grant_type: grantType }
    for (const name of grant.parameters) {
      const value = req.form[name]
      if (value !== undefined) kept[name] = typeof value === 'string' ? value : value.join(' ')
    }
    const run = () => grant.handle(
      {
        client,
        authMethod: method,
        scope: grant.parameters.includes('scope') ? splitScope(form.scope) : [],
        audience: grant.parameters.includes('audience') ? splitAudience(req.form.audience) : [],
        form: kept,
      },
      this.deps.context,
    )
    return this.observer ? this.observer.grant(grantType, run) : run()
  }
}
