// Grant and response types, and how they must fit together (OIDC Dynamic Client Registration §2).
import { invalidClientMetadata } from '../oauth2/errors.js'
import { GRANTS } from '../oauth2/grants/index.js'
import { checkOneOf, show } from './fields.js'

/**
 * What grant_types may name: the token endpoint's grants (oauth2/grants/index.ts) and `implicit`,
 * whose tokens the authorization endpoint issues.
 */
export const GRANT_TYPES: readonly string[] = [...GRANTS.map((g) => g.type), 'implicit']

/** Grants a public client may not even register (client_credentials). */
const REFUSED_FOR_PUBLIC = GRANTS.filter((g) => g.refusedAtRegistrationForPublicClients === true).map((g) => g.type)

export const RESPONSE_TYPES = [
  'code',
  'token',
  'id_token',
  'code id_token',
  'code token',
  'id_token token',
  'code id_token token',
  'none',
] as const

export const DEFAULT_GRANT_TYPES = ['authorization_code']
export const DEFAULT_RESPONSE_TYPES = ['code']

// Response types are sets of words (RFC 6749 §3.1.1): "token code" means "code token".
const canonical = (responseType: string): string => responseType.split(' ').sort().join(' ')
const CANONICAL_RESPONSE_TYPES = new Set<string>(RESPONSE_TYPES.map(canonical))

export function checkGrantTypes(grantTypes: string[], publicClient: boolean): string[] {
  for (const g of grantTypes) {
    if (g === 'password') {
      throw invalidClientMetadata(
        'Field grant_types contains "password": the resource owner password credentials grant is not supported.',
      )
    }
    checkOneOf('grant_types', g, GRANT_TYPES)
  }
  // A public client has no credentials to authenticate such a grant with.
  const refused = publicClient ? REFUSED_FOR_PUBLIC.find((g) => grantTypes.includes(g)) : undefined
  if (refused !== undefined) {
    throw invalidClientMetadata(`Field grant_types must not contain "${refused}" when token_endpoint_auth_method is "none".`)
  }
  return grantTypes.length > 0 ? grantTypes : [...DEFAULT_GRANT_TYPES]
}

export function checkResponseTypes(responseTypes: string[]): string[] {
  for (const r of responseTypes) {
    if (!CANONICAL_RESPONSE_TYPES.has(canonical(r))) {
      throw invalidClientMetadata(
        `Field response_types has the unsupported value ${show(r)}; allowed are: ${RESPONSE_TYPES.join(', ')}.`,
      )
    }
  }
  return responseTypes.length > 0 ? responseTypes : [...DEFAULT_RESPONSE_TYPES]
}

const isDefaultResponseTypes = (responseTypes: string[]): boolean =>
  responseTypes.length === 1 && responseTypes[0] === 'code'

/**
 * Each response type needs the grants it leads to: `code` the authorization code grant,
 * `token` and `id_token` the implicit grant. A client without any redirect-based grant (say,
 * client_credentials only) may keep the default ["code"]: Hydra's CLI and SDKs send it.
 */
export function checkCoherence(grantTypes: string[], responseTypes: string[]): void {
  const redirectBased = grantTypes.includes('authorization_code') || grantTypes.includes('implicit')
  if (!redirectBased && isDefaultResponseTypes(responseTypes)) return
  for (const r of responseTypes) {
    const words = r.split(' ')
    if (words.includes('code') && !grantTypes.includes('authorization_code')) {
      throw invalidClientMetadata(
        `Field response_types contains ${show(r)}, which requires "authorization_code" in grant_types.`,
      )
    }
    if ((words.includes('token') || words.includes('id_token')) && !grantTypes.includes('implicit')) {
      throw invalidClientMetadata(`Field response_types contains ${show(r)}, which requires "implicit" in grant_types.`)
    }
  }
}
