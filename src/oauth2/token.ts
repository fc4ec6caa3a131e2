// The token endpoint (RFC 6749 §3.2): checks the request, authenticates the client and hands
// over to the grant named by grant_type. Every grant comes from the registry (grants/index.ts).
import type { ClientAuthenticator } from './client-auth.js'
import { invalidRequest, unauthorizedClient, unsupportedGrantType } from './errors.js'
import { requireConfidentialClient } from './grants/client-grant.js'
import { grantLifespans, type Grant, type GrantContext, type GrantRequest } from './grants/grant.js'
import { splitAudience, splitScope } from './scopes.js'
import type { AccessTokenResponse } from './tokens/service.js'
import type { GrantObserver } from './observer.js'

/** A form body as the edge parsed it: a repeated parameter is an array. */
export type FormParams = Readonly<Record<string, string | readonly string[]>>

/** The HTTP facts of a request that protocol checks may need (DPoP proofs: method, URL, headers). */
export interface HttpRequestFacts {
  /** Upper-case request method. */
  method: string
  /** The request's absolute URL as the client addressed it. */
  url: string
  /** Header names in lower case; a repeated header is an array. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
}

export interface TokenRequest extends HttpRequestFacts {
  form: FormParams
}

/** A header's single value; undefined when absent or sent more than once. */
export function headerOf(http: Pick<HttpRequestFacts, 'headers'>, name: string): string | undefined {
  const value = http.headers[name]
  return typeof value === 'string' ? value : undefined
}

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

/**
 * What the endpoint does around every grant that issues access tokens (RFC 9449 DPoP): checks
 * the request before the grant runs and shapes the context it runs with.
 */
export interface TokenRequestBinding {
  /**
   * Called once the client is known, before the grant: returns the key thumbprint the request
   * proved (undefined without a proof), or throws the RFC's error.
   */
  prove(req: TokenRequest, client: GrantRequest['client']): Promise<string | undefined>
  /** The context the grant runs with when the request proved `jkt`. */
  bind(ctx: GrantContext, jkt: string, client: GrantRequest['client']): GrantContext
  /** The response as the client sees it (token_type DPoP, a fresh nonce, ...). */
  finish(response: AccessTokenResponse, jkt: string | undefined): AccessTokenResponse
}

export interface TokenEndpointDeps {
  grants: readonly Grant[]
  clientAuth: ClientAuthenticator
  context: GrantContext
  /** Sender-constraining of issued tokens (DPoP); none by default. */
  binding?: TokenRequestBinding
  /** Told about every grant of a supported type (metrics, tracing); none by default. */
  observer?: GrantObserver
  /** Adds to every successful response (the verifiable-credential nonce); none by default. */
  extendResponse?: (response: AccessTokenResponse) => AccessTokenResponse
}

export class TokenEndpoint {
  private readonly grants: ReadonlyMap<string, Grant>
  private readonly repeatable: ReadonlySet<string>
  private readonly observer: GrantObserver | undefined

  constructor(private readonly deps: TokenEndpointDeps) {
    this.grants = new Map(deps.grants.map((g) => [g.type, g]))
    // The form is checked before the grant is known: a parameter any grant repeats may repeat.
    this.repeatable = new Set(deps.grants.flatMap((g) => g.module.repeatable ?? []))
    this.observer = deps.observer
  }

  async handle(req: TokenRequest): Promise<AccessTokenResponse> {
    const form = singleValued(req.form, this.repeatable)
    const grantType = form.grant_type
    if (grantType === undefined || grantType === '') throw invalidRequest("Request parameter 'grant_type' is missing.")
    const grant = this.grants.get(grantType)
    // Checked before authenticating: an unknown grant costs no secret verification.
    if (!grant) throw unsupportedGrantType(`The grant type '${grantType}' is not supported by this server.`)
    const { client, method } = await this.deps.clientAuth.authenticate({
      authorization: headerOf(req, 'authorization'),
      form: credentialParams(form),
    })
    if (!client.grant_types.includes(grantType)) {
      throw unauthorizedClient(`The OAuth 2.0 Client is not allowed to use authorization grant '${grantType}'.`)
    }
    const { module } = grant
    const repeatable = new Set(module.repeatable ?? [])
    const kept: Record<string, string> = { grant_type: grantType }
    for (const name of grant.parameters) {
      const value = req.form[name]
      if (value === undefined) continue
      if (typeof value !== 'string' && !repeatable.has(name)) {
        throw invalidRequest(`The request parameter '${name}' must only be included once.`)
      }
      kept[name] = typeof value === 'string' ? value : value.join(' ')
    }
    const grantRequest: GrantRequest = {
      client,
      authMethod: method,
      scope: grant.parameters.includes('scope') ? splitScope(form.scope) : [],
      audience: grant.parameters.includes('audience') ? splitAudience(req.form.audience) : [],
      form: kept,
      lifespans: grantLifespans(module, client, this.deps.context.config.ttl),
      http: { method: req.method, url: req.url, headers: req.headers },
    }
    const binding = this.deps.binding
    const run = async (): Promise<AccessTokenResponse> => {
      // RFC 6749 §4.4.2 and the like: such a grant needs a client that can prove who it is.
      if (module.clientAuthentication === 'confidential') requireConfidentialClient(grantRequest, grantType)
      const jkt = binding ? await binding.prove(req, client) : undefined
      if (binding === undefined || jkt === undefined) {
        const response = await grant.handle(grantRequest, this.deps.context)
        return binding ? binding.finish(response, undefined) : response
      }
      const response = await grant.handle({ ...grantRequest, dpopJkt: jkt }, binding.bind(this.deps.context, jkt, client))
      return binding.finish(response, jkt)
    }
    const extend = this.deps.extendResponse
    const complete = extend ? async () => extend(await run()) : run
    return this.observer ? this.observer.grant(grantType, complete) : complete()
  }
}
