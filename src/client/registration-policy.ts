// What an anonymous registrant may give itself (oidc.dynamic_client_registration.allowed_*).
// Without a policy, anyone reaching /oauth2/register could register a machine client with the
// client_credentials, jwt-bearer or token-exchange grant and any scope or audience, and get
// tokens that introspect with them. The safe default: the browser grants, the default scope,
// no audience. Clients created through the admin API never pass through here.
import { invalidClientMetadata } from '../oauth2/errors.js'
import { show } from './fields.js'
import type { ClientMetadata } from './model.js'

export interface RegistrationPolicy {
  grantTypes: readonly string[]
  scopes: readonly string[]
  audiences: readonly string[]
}

function refuse(field: string, value: string, key: string): never {
  throw invalidClientMetadata(
    `Field ${field} contains ${show(value)}, which dynamic client registration does not allow (oidc.dynamic_client_registration.${key}).`,
  )
}

/** Throws invalid_client_metadata naming the first value the policy does not allow. */
export function checkRegistrationPolicy(meta: Pick<ClientMetadata, 'grant_types' | 'scope' | 'audience'>, policy: RegistrationPolicy): void {
  for (const g of meta.grant_types) if (!policy.grantTypes.includes(g)) refuse('grant_types', g, 'allowed_grant_types')
  for (const s of meta.scope.split(' ')) if (s !== '' && !policy.scopes.includes(s)) refuse('scope', s, 'allowed_scopes')
  for (const a of meta.audience) if (!policy.audiences.includes(a)) refuse('audience', a, 'allowed_audiences')
}
