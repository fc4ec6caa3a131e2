// Builds the login and consent flow once from the configuration and its collaborators.
import type { ClientStore } from '../client/store.js'
import type { Config } from '../config/types.js'
import { HmacKeys } from '../crypto/hmac.js'
import type { KeyRing } from '../jwk/keyring.js'
import { appendPath } from '../url-path.js'
import { LogoutNotifier } from '../oidc/logout-channels.js'
import type { FrontChannelIssuers } from '../oauth2/authorize-issue.js'
import type { ClientKeySets } from '../oauth2/client-jwks.js'
import { pkcePolicy } from '../oauth2/pkce.js'
import { fetchRequestUri, requestUriFetcher, type FetchRequestObject } from '../oauth2/request-object.js'
import { scopeMatcher } from '../oauth2/scopes.js'
import type { ClientAuthenticator } from '../oauth2/client-auth.js'
import { PushedAuthorizations, type PushedRequestStore } from '../oauth2/par.js'
import type { SessionSealer } from '../crypto/session-data.js'
import { OpaqueTokens } from '../oauth2/tokens/opaque-hmac.js'
import { LoginConsentAdmin } from './admin.js'
import { AuthorizationFlow } from './authorize-flow.js'
import { ChallengeBudget, DeviceFlow } from './device.js'
import type { DeviceCodes } from '../oauth2/device-code.js'
import { FlowCodec } from './codec.js'
import { flowSettings, type FlowContext } from './context.js'
import { LogoutFlow, sessionClients, type LogoutDeps } from './logout.js'
import { LogoutAdmin } from './logout-admin.js'
import { deleteWith, identityProviderSessions, type SendDelete } from './identity-provider.js'
import type { OutboundFetcher } from '../outbound/fetcher.js'
import { SessionAdmin } from './sessions.js'
import type { LoginSession } from './model.js'
import type { AutocommitStores, Storage } from '../unit-of-work.js'

export interface FlowDeps {
  config: Readonly<Config>
  clients: Pick<ClientStore, 'get'>
  /** Every store, and units of work for the multi-step writes. */
  storage: Storage
  keyRing: Pick<KeyRing, 'verify'> | undefined
  fetchRequestObject?: FetchRequestObject
  /** Keys of clients registered by jwks_uri (signed request objects); shared with the token endpoint. */
  clientKeys?: ClientKeySets
  /** Access and ID tokens for the implicit and hybrid response types; without them only `code` works. */
  issuers?: FrontChannelIssuers
  now?: () => Date
  /** Logout requests; without it (and `logoutKeys`) there is no logout endpoint. */
  logouts?: AutocommitStores['logouts']
  /** Signs Back-Channel Logout tokens; without it no back-channel notifications are sent. */
  logoutKeys?: Pick<KeyRing, 'sign'>
  /** Back-channel failures are logged here, never with the token. */
  warn?: (fields: Record<string, unknown>, message: string) => void
  /** Every outbound request (request_uri, back-channel logout, identity provider); unrestricted by default. */
  outbound?: OutboundFetcher
  /** The identity provider's DELETE (tests record it); identity-provider.ts sendDelete by default. */
  sendDelete?: SendDelete
  /** RFC 8628 device authorizations; without them there is no device verification endpoint. */
  device?: { store: AutocommitStores['device']; codes: DeviceCodes }
  /** RFC 9126: where pushed requests are kept, how clients authenticate, how requests are sealed. */
  pushed?: { store: PushedRequestStore; clientAuth: Pick<ClientAuthenticator, 'authenticate'>; sealer: SessionSealer }
}

/** Hydra's logout CSRF cookie; serve.cookies.names has no key for it. */
export const LOGOUT_CSRF_COOKIE = 'ory_hydra_logout_csrf'

export interface Flows {
  /** GET/POST /oauth2/auth. */
  authorize: AuthorizationFlow
  /** The admin login and consent request endpoints. */
  admin: LoginConsentAdmin
  /** The admin consent and login session endpoints. */
  sessions: SessionAdmin
  /** GET/POST /oauth2/sessions/logout (OpenID Connect RP-Initiated Logout 1.0). */
  logout?: LogoutFlow
  /** The admin logout request endpoints. */
  logoutAdmin?: LogoutAdmin
  /** GET /oauth2/device/verify and the admin device user code endpoint (RFC 8628). */
  device?: DeviceFlow
  /** POST /oauth2/par (RFC 9126). */
  pushed?: PushedAuthorizations
}

export function createFlows(d: FlowDeps): Flows {
  const { config } = d
  // The same HMAC keys (secrets.system) the token endpoint uses, so it can verify the codes.
  const hmac = new HmacKeys(config.secrets.system)
  const now = d.now ?? (() => new Date())
  const ctx: FlowContext = {
    settings: flowSettings(config),
    clients: d.clients,
    store: d.storage.autocommit.flows,
    units: d.storage,
    codec: new FlowCodec(hmac),
    opaque: new OpaqueTokens(hmac),
    keyRing: d.keyRing,
    validation: {
      scopeMatcher: scopeMatcher(config.strategies.scope),
      pkce: pkcePolicy(config),
      allowInsecureRedirects: config.dev,
      fetchRequestObject: d.fetchRequestObject ?? (d.outbound ? requestUriFetcher(d.outbound) : fetchRequestUri),
      ...(d.clientKeys ? { clientKeys: d.clientKeys } : {}),
      now,
    },
    now,
    ...(d.issuers ? { issuers: d.issuers } : {}),
  }
  const device = d.device
    ? new DeviceFlow({
        ctx,
        store: d.device.store,
        codes: d.device.codes,
        settings: {
          verificationUrl: config.urls.device.verification,
          successUrl: config.urls.device.success,
          csrfCookie: config.serve.cookies.names.device_csrf,
          lifespanMs: config.ttl.device_user_code,
        },
        budget: new ChallengeBudget(
          config.oauth2.device_authorization.verification_budget.attempts,
          config.oauth2.device_authorization.verification_budget.window,
        ),
      })
    : undefined
  const pushed = d.pushed
    ? new PushedAuthorizations({
        store: d.pushed.store,
        clientAuth: d.pushed.clientAuth,
        sealer: d.pushed.sealer,
        validation: { ...ctx.validation, getClient: (id) => d.clients.get(id) },
        lifespanMs: config.oauth2.pushed_authorization_requests.lifespan,
        now: ctx.now,
      })
    : undefined
  const base = {
    authorize: new AuthorizationFlow(ctx, pushed),
    admin: new LoginConsentAdmin(ctx),
    ...(device ? { device } : {}),
    ...(pushed ? { pushed } : {}),
  }
  if (!d.logouts) {
    return { ...base, sessions: new SessionAdmin({ store: d.storage.autocommit.sessions, units: d.storage, clients: d.clients, codec: ctx.codec, now: ctx.now }) }
  }
  // Hydra ends the Kratos session on logout and on revocation by sid (consent/strategy_default.go deleteSession).
  const endIdentityProviderSession = identityProviderSessions(
    config.urls.identity_provider,
    d.warn ?? (() => undefined),
    d.sendDelete ?? (d.outbound ? deleteWith(d.outbound) : undefined),
  )
  const notifier = d.logoutKeys
    ? new LogoutNotifier({
        issuer: config.urls.self.issuer,
        keys: d.logoutKeys,
        pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
        warn: d.warn ?? (() => undefined),
        ...(d.outbound ? { outbound: d.outbound } : {}),
      })
    : undefined
  const logoutDeps: LogoutDeps = {
    ctx,
    logouts: d.logouts,
    notifier,
    endIdentityProviderSession,
    settings: {
      logoutUrl: config.urls.logout,
      postLogoutUrl: config.urls.post_logout_redirect,
      endpointUrl: appendPath(config.urls.self.public, '/oauth2/sessions/logout'),
      csrfCookie: LOGOUT_CSRF_COOKIE,
    },
  }
  const logout = new LogoutFlow(logoutDeps)
  // Back-Channel Logout 1.0 for admin revocation by sid (DELETE /admin/oauth2/auth/sessions/login).
  const backChannelLogout = async (revoked: LoginSession): Promise<void> =>
    logout.backChannel(await sessionClients(logoutDeps, revoked.id), { sid: revoked.id, subject: revoked.subject })
  const sessions = new SessionAdmin({ store: d.storage.autocommit.sessions, units: d.storage, clients: d.clients, codec: ctx.codec, now: ctx.now, backChannelLogout, endIdentityProviderSession })
  return { ...base, sessions, logout, logoutAdmin: new LogoutAdmin(logoutDeps) }
}
