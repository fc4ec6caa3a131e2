import type { Migration, MigrationProvider } from 'kysely'
import type { Dialect } from '../dsn.js'
import { networks } from './0001_networks.js'
import { clients } from './0002_clients.js'
import { jwks } from './0003_jwks.js'
import { oauth2Tokens } from './0004_oauth2_tokens.js'
import { flows } from './0005_flows.js'
import { tokenChallengeIndex } from './0006_token_challenge_index.js'
import { logoutRequests } from './0007_logout_requests.js'
import { trustJwtBearer } from './0008_trust_jwt_bearer.js'
import { deviceCodes } from './0009_device_codes.js'
import { clientCascades } from './0010_client_cascades.js'
import { clientRotatedSecrets } from './0012_client_rotated_secrets.js'
import { dpop } from './0013_dpop.js'
import { pushedAuthorizationRequests } from './0014_pushed_authorization_requests.js'

// Append only: a migration that has shipped is never edited, a change is a new step.
const STEPS: Array<[string, (d: Dialect) => Migration]> = [
  ['0001_networks', networks],
  ['0002_clients', clients],
  ['0003_jwks', jwks],
  ['0004_oauth2_tokens', oauth2Tokens],
  ['0005_flows', flows],
  ['0006_token_challenge_index', tokenChallengeIndex],
  ['0007_logout_requests', logoutRequests],
  ['0008_trust_jwt_bearer', trustJwtBearer],
  ['0009_device_codes', deviceCodes],
  ['0010_client_cascades', clientCascades],
  ['0012_client_rotated_secrets', clientRotatedSecrets],
  ['0013_dpop', dpop],
  ['0014_pushed_authorization_requests', pushedAuthorizationRequests],
]

/** Every migration this build knows, in order. */
export const MIGRATION_NAMES: readonly string[] = STEPS.map(([name]) => name)

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(STEPS.map(([name, make]) => [name, make(dialect)]))
    },
  }
}
