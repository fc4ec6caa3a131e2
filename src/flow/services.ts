// Builds the login and consent flow once from the configuration and its collaborators.
import type { ClientStore } from '../client/store.js'
import type { Config } from '../config/types.js'
import { HmacKeys } from '../crypto/hmac.js'
import type { KeyRing } from '../jwk/keyring.js'
import { pkcePolicy } from '../oauth2/pkce.js'
import { fetchRequestUri, type FetchRequestObject } from '../oauth2/request-object.js'
import { scopeMatcher } from '../oauth2/scopes.js'
import { OpaqueTokens } from '../oauth2/tokens/opaque-hmac.js'
import { LoginConsentAdmin } from './admin.js'
import { AuthorizationFlow } from './authorize-flow.js'
import { FlowCodec } from './codec.js'
import { flowSettings, type FlowContext } from './context.js'
import type { SessionStore } from './session-store.js'
import { SessionAdmin } from './sessions.js'
import type { FlowStore } from './store.js'

export interface FlowDeps {
  config: Readonly<Config>
  clients: Pick<ClientStore, 'get'>
  store: FlowStore
  /** Consent and login sessions for the admin session endpoints. */
  sessions: SessionStore
  keyRing: Pick<KeyRing, 'verify'> | undefined
  fetchRequestObject?: FetchRequestObject
  now?: () => Date
}

export interface Flows {
  /** GET/POST /oauth2/auth. */
  authorize: AuthorizationFlow
  /** The admin login and consent request endpoints. */
  admin: LoginConsentAdmin
  /** The admin consent and login session endpoints. */
  sessions: SessionAdmin
}

export function createFlows(d: FlowDeps): Flows {
  const { config } = d
  // The same HMAC keys (secrets.system) the token endpoint uses, so it can verify the codes.
  const hmac = new HmacKeys(config.secrets.system)
  const ctx: FlowContext = {
    settings: flowSettings(config),
    clients: d.clients,
    store: d.store,
    codec: new FlowCodec(hmac),
    opaque: new OpaqueTokens(hmac),
    keyRing: d.keyRing,
    validation: {
      scopeMatcher: scopeMatcher(config.strategies.scope),
      pkce: pkcePolicy(config),
      allowInsecureRedirects: config.dev,
      fetchRequestObject: d.fetchRequestObject ?? fetchRequestUri,
    },
    now: d.now ?? (() => new Date()),
  }
  const sessions = new SessionAdmin({ store: d.sessions, clients: d.clients, codec: ctx.codec, now: ctx.now })
  return { authorize: new AuthorizationFlow(ctx), admin: new LoginConsentAdmin(ctx), sessions }
}
