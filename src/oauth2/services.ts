// Builds the OAuth 2.0 core once from the configuration and its collaborators.
import type { ClientStore } from '../client/store.js'
import type { SessionSealer } from '../crypto/session-data.js'
import type { Config } from '../config/types.js'
import type { SecretHasher } from '../crypto/hasher.js'
import { HmacKeys } from '../crypto/hmac.js'
import type { KeyRing } from '../jwk/keyring.js'
import { appendPath } from '../url-path.js'
import { ClientAuthenticator } from './client-auth.js'
import { ClientKeySets } from './client-jwks.js'
import { activeGrants } from './grants/index.js'
import type { TrustedJwtVerifier } from '../trust/model.js'
import { pkcePolicy } from './pkce.js'
import { IdTokens } from './tokens/id-token.js'
import { Userinfo } from '../oidc/userinfo.js'
import { VerifiableCredentials } from '../oidc/verifiable-credentials.js'
import type { Aead } from '../crypto/aead.js'
import type { AccessTokenResponse } from './tokens/service.js'
import { Introspector } from './introspect.js'
import { Revocation } from './revoke.js'
import { scopeMatcher } from './scopes.js'
import { TokenEndpoint } from './token.js'
import type { GrantObserver } from './observer.js'
import type { Logger } from '../logging.js'
import { tokenHookFromConfig } from './token-hook-http.js'
import type { OutboundFetcher } from '../outbound/fetcher.js'
import { JwtAccessTokens } from './tokens/jwt.js'
import { OpaqueTokens } from './tokens/opaque-hmac.js'
import { SessionCodec } from './tokens/session.js'
import { TokenService } from './tokens/service.js'
import { DeviceAuthorization } from './device-authorization.js'
import { DpopBinding, DpopNonces, DpopVerifier, type DpopReplayStore } from './dpop.js'
import type { DeviceCodes } from './device-code.js'
import type { AutocommitStores, Storage } from '../unit-of-work.js'

export interface OAuth2Deps {
  config: Readonly<Config>
  clients: Pick<ClientStore, 'get'>
  hasher: SecretHasher
  /** Every store: reads and single-statement writes, and units of work for the rest. */
  storage: Storage
  /** Seals token sessions at rest. */
  /** Seals token sessions at rest (an Aead, or SessionData honouring oauth2.session.encrypt_at_rest). */
  aead: SessionSealer
  /** The server's signing keys; without them only opaque access tokens can be issued. */
  keys: KeyRing | undefined
  /** Keys of clients registered by jwks_uri; built from the config (dev allows http) when absent. */
  clientKeys?: ClientKeySets
  /** Verifies JWTs of trusted issuers (RFC 7523 jwt-bearer grant); without it the grant is off. */
  trustedJwts?: TrustedJwtVerifier
  /** RFC 8628 device authorizations; without them the device endpoint and grant are off. */
  device?: { store: AutocommitStores['device']; codes: DeviceCodes }
  /** RFC 9449: proofs already presented; without it DPoP proofs are not accepted (tokens stay Bearer). */
  dpopReplay?: DpopReplayStore
  /** Told about every grant (metrics, tracing). */
  grantObserver?: GrantObserver
  /** Every outbound request (jwks_uri, token hooks); an unrestricted bounded fetcher by default. */
  outbound?: OutboundFetcher
  /** Where client authentication failures are explained to the operator. */
  logger?: Pick<Logger, 'info'>
  /** The time of every expiry decision (tokens, codes, assertions, proofs, hooks' `iat`, key caches). */
  now?: () => Date
  /** How long a token hook may take, answer included (10 s, as Hydra, unless a test shortens it). */
  tokenHookTimeoutMs?: number
  /** Seals the verifiable-credential nonces (always sealed, whatever encrypt_at_rest says); without it /credentials is off. */
  credentialNonces?: Pick<Aead, 'seal' | 'open'>
}

export interface OAuth2 {
  tokens: TokenService
  clientAuth: ClientAuthenticator
  /** The cache of keys fetched from clients' jwks_uri (private_key_jwt, request objects). */
  clientKeys: ClientKeySets
  token: TokenEndpoint
  /** POST /oauth2/device/auth (RFC 8628 §3.1); absent without a device store. */
  deviceAuthorization?: DeviceAuthorization
  introspection: Introspector
  revocation: Revocation
  /** Absent without a key ring. */
  idTokens: IdTokens | undefined
  /** OpenID Connect Core §5.3. */
  userinfo: Userinfo
  /** RFC 9449 proof checks; absent without a replay store. */
  dpop?: DpopVerifier
  /** Hydra's POST /credentials; absent without `credentialNonces`. */
  credentials?: VerifiableCredentials
}

/**
 * What a client assertion's `aud` may name (RFC 7523 §3 item 3): the token endpoint under the
 * public URL, the same path under the issuer, and the issuer itself (OpenID Connect Core §9).
 */
export function assertionAudiences(config: Readonly<Config>): string[] {
  const { issuer, public: publicUrl } = config.urls.self
  return [...new Set([appendPath(publicUrl, '/oauth2/token'), appendPath(issuer, '/oauth2/token'), issuer])]
}

export function createOAuth2(d: OAuth2Deps): OAuth2 {
  const { config } = d
  const now = d.now ?? (() => new Date())
  const scopes = scopeMatcher(config.strategies.scope)
  const jwt = d.keys
    ? new JwtAccessTokens(d.keys, {
        issuer: config.urls.self.issuer,
        scopeClaim: config.strategies.jwt.scope_claim,
        excludeNotBefore: config.oauth2.exclude_not_before_claim,
        allowedTopLevelClaims: config.oauth2.allowed_top_level_claims,
        mirrorTopLevelClaims: config.oauth2.mirror_top_level_claims,
        preserveExtClaims: config.oauth2.preserve_ext_claims,
      })
    : undefined
  const opaque = new OpaqueTokens(new HmacKeys(config.secrets.system))
  const idTokens = d.keys
    ? new IdTokens(d.keys, { issuer: config.urls.self.issuer, pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt })
    : undefined
  const tokens = new TokenService({
    store: d.storage.autocommit.tokens,
    sessions: new SessionCodec(d.aead),
    opaque,
    jwt,
    strategy: config.strategies.access_token,
    now,
  })
  const clientKeys = d.clientKeys ?? new ClientKeySets({ dev: config.dev, now: () => now().getTime(), ...(d.outbound ? { outbound: d.outbound } : {}) })
  const hmac = new HmacKeys(config.secrets.system)
  const dpop = d.dpopReplay
    ? new DpopVerifier({
        algorithms: config.oauth2.dpop.signing_algorithms,
        lifespanMs: config.oauth2.dpop.proof_lifespan,
        requireNonce: config.oauth2.dpop.require_nonce,
        nonces: new DpopNonces(hmac, now),
        replay: d.dpopReplay,
        now,
      })
    : undefined
  const audiences = assertionAudiences(config)
  // oauth2.token_hook / refresh_token_hook; noTokenHook when neither is configured.
  const tokenHook = tokenHookFromConfig(config.oauth2, {
    issuer: config.urls.self.issuer,
    claims: config.oauth2,
    now,
    ...(d.tokenHookTimeoutMs !== undefined ? { timeoutMs: d.tokenHookTimeoutMs } : {}),
    ...(d.outbound ? { outbound: d.outbound } : {}),
  })
  const clientAuth = new ClientAuthenticator({
    clientKeys,
    clients: d.clients,
    hasher: d.hasher,
    tokens: d.storage.autocommit.tokens,
    assertionAudiences: audiences,
    now,
    ...(d.logger ? { logger: d.logger } : {}),
  })
  const credentials = d.credentialNonces
    ? new VerifiableCredentials({
        tokens,
        clients: d.clients,
        keys: d.keys,
        aead: d.credentialNonces,
        issuer: config.urls.self.issuer,
        pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
        nonceLifespanMs: config.ttl.vc_nonce,
        now,
      })
    : undefined
  return {
    tokens,
    clientAuth,
    clientKeys,
    ...(credentials ? { credentials } : {}),
    token: new TokenEndpoint({
      grants: activeGrants({
        issuer: config.urls.self.issuer,
        keys: d.keys,
        assertionAudiences: audiences,
        ...(d.trustedJwts ? { trustedJwts: d.trustedJwts } : {}),
        ...(d.device ? { device: d.device } : {}),
      }),
      clientAuth,
      ...(dpop
        ? {
            binding: new DpopBinding({
              verifier: dpop,
              tokenEndpointUrls: [appendPath(config.urls.self.public, '/oauth2/token'), appendPath(config.urls.self.issuer, '/oauth2/token')],
            }),
          }
        : {}),
      context: {
        tokens,
        scopes,
        config,
        storage: d.storage,
        idTokens,
        opaque,
        pkce: pkcePolicy(config),
        tokenHook,
        now,
      },
      ...(d.grantObserver ? { observer: d.grantObserver } : {}),
      ...(credentials ? { extendResponse: (r: AccessTokenResponse) => credentials.extendTokenResponse(r) } : {}),
    }),
    ...(d.device
      ? {
          deviceAuthorization: new DeviceAuthorization({
            clientAuth,
            store: d.device.store,
            codes: d.device.codes,
            scopes,
            verificationUri: appendPath(config.urls.self.public, '/oauth2/device/verify'),
            lifespanMs: config.ttl.device_user_code,
            pollingIntervalMs: config.oauth2.device_authorization.token_polling_interval,
            now,
          }),
        }
      : {}),
    introspection: new Introspector({ tokens, scopes, issuer: config.urls.self.issuer }),
    revocation: new Revocation({ tokens, units: d.storage }),
    idTokens,
    userinfo: new Userinfo({
      tokens,
      clients: d.clients,
      keys: d.keys,
      issuer: config.urls.self.issuer,
      pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
      now,
      ...(dpop
        ? { dpop, userinfoUrls: [appendPath(config.urls.self.public, '/userinfo'), appendPath(config.urls.self.issuer, '/userinfo')] }
        : {}),
    }),
    ...(dpop ? { dpop } : {}),
  }
}
