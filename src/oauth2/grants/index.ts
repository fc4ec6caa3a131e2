// The grant registry: every grant type the server knows, in the order discovery lists them.
// The token endpoint dispatches over it, discovery advertises it, client validation accepts its
// types. A new grant is one module in this folder (grant.ts: GrantModule) plus one line here.
import { authorizationCode } from './authorization-code.js'
import { clientCredentials } from './client-credentials.js'
import { deviceCode } from './device-code.js'
import { activate, type Grant, type GrantModule, type GrantServices } from './grant.js'
import { jwtBearer } from './jwt-bearer.js'
import { refreshToken } from './refresh-token.js'
import { tokenExchange } from './token-exchange.js'

export const GRANTS: readonly GrantModule<unknown>[] = [
  authorizationCode,
  refreshToken,
  clientCredentials,
  jwtBearer,
  tokenExchange,
  deviceCode,
]

/** The grants this server runs: those whose dependencies it has. */
export function activeGrants(services: GrantServices, modules: readonly GrantModule<unknown>[] = GRANTS): Grant[] {
  return modules.flatMap((m) => activate(m, services) ?? [])
}
