import type { Config } from './config/types.js'
import { createHasher, type SecretHasher } from './crypto/hasher.js'
import { ClientService } from './client/service.js'
import { DynamicRegistration } from './client/registration.js'
import { RegistrationTokens } from './client/registration-token.js'
import { sectorFetcher } from './client/sector-identifier.js'
import { OutboundFetcher } from './outbound/fetcher.js'
import type { ClientStore } from './client/store.js'
import { createLogger, type Logger } from './logging.js'
import { openDb, type Db } from './persistence/db.js'
import { migrateUp, pendingMigrations, unknownAppliedMigrations } from './persistence/migrate.js'
import { CachedClientStore } from './client/cached-store.js'
import { SqlClientStore } from './persistence/sql/client-store.js'
import { createOAuth2, type OAuth2 } from './oauth2/services.js'
import { Aead } from './crypto/aead.js'
import { SessionData } from './crypto/session-data.js'
import { KeySecretError, prepareKeys } from './jwk/bootstrap.js'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET, type KeyRing } from './jwk/keyring.js'
import { KeyManager, NoSigningKeyError } from './jwk/manager.js'
import { HsmError, HsmKeys } from './jwk/hsm.js'
import type { GenerateAlg } from './jwk/model.js'
import { SqlJwkStore } from './persistence/sql/jwk-store.js'
import { createFlows, type Flows } from './flow/services.js'
import { SqlStorage } from './persistence/sql/storage.js'
import type { Storage } from './unit-of-work.js'
import { DeviceCodes } from './oauth2/device-code.js'
import { userCodeFormat } from './oauth2/user-code.js'
import { HmacKeys } from './crypto/hmac.js'
import { createObservability, startConfiguredTracing, type Observability } from './observability/index.js'
import type { MetricsGatherer } from './observability/metrics.js'
import { TrustService } from './trust/service.js'
import { TrustVerifier } from './trust/verifier.js'

/** Everything the server is made of, built once, eagerly, from the configuration. */
export interface Registry {
  config: Readonly<Config>
  logger: Logger
  db: Db
  /** The network every row belongs to. */
  nid: string
  clients: ClientStore
  hasher: SecretHasher
  clientService: ClientService
  /** RFC 7591/7592 dynamic client registration (mounted only when enabled in the config). */
  dynamicRegistration: DynamicRegistration
  /** AES-256-GCM with secrets.system: seals data at rest (keys, and whatever else needs it). */
  aead: Aead
  /** The server's JSON Web Keys: admin operations and the public key set. */
  keys: KeyManager
  /** What token code signs and verifies with (the same object as `keys`, narrowed). */
  keyRing: KeyRing
  /** Every store: reads and single-statement writes, and the unit of work for the rest. */
  storage: Storage
  /** The OAuth 2.0 core: token endpoint, client authentication, introspection, revocation. */
  oauth2: OAuth2
  /** The authorization endpoint's state machine and the admin login/consent endpoints. */
  flows: Flows
  /** RFC 7523 trust relationships (/admin/trust/grants/jwt-bearer/issuers). */
  trust: TrustService
  /** Metrics, and tracing when configured (src/observability); shut down by server.ts. */
  observability?: Observability
  /** The time every expiry decision reads (the wall clock unless RegistryOptions.now says otherwise). */
  now: () => Date
  close(): Promise<void>
}

export class StartupError extends Error {
  override name = 'StartupError'
}

export interface RegistryOptions {
  logger?: Logger
  /** Apply pending migrations instead of refusing to start (always on in dev mode). */
  migrate?: boolean
  /** Algorithm of the keys created for the well-known sets on first start (default RS256). */
  keyAlgorithm?: GenerateAlg
  /** How long parsed signing keys are cached (default 5 s); tests shorten it. */
  keyCacheTtlMs?: number
  /** How long a client read is reused (default 5 s; 0 turns the cache off). */
  clientCacheTtlMs?: number
  /** In a cluster worker: the metrics scrape reports every worker together (src/cluster/). */
  metricsGatherer?: MetricsGatherer
  /**
   * The clock of every expiry and time decision: token, code, flow, session, device, assertion and
   * proof lifetimes, the timestamps written with them, JWT `iat`/`exp` checks, the caches' ages.
   * The wall clock by default; tests hand in one they advance instead of sleeping.
   */
  now?: () => Date
  /** How long a token hook may take (default 10 s, as Hydra); tests shorten it. */
  tokenHookTimeoutMs?: number
}

export async function createRegistry(config: Readonly<Config>, opts: RegistryOptions = {}): Promise<Registry> {
  const logger = opts.logger ?? createLogger(config.log)
  const now = opts.now ?? (() => new Date())
  const nowMs = (): number => now().getTime()
  // Tracing first, so the database opens with its query spans.
  const tracing = await startConfiguredTracing({ config, logger })
  let db: Db
  try {
    db = await openDb(config.dsn, tracing ? { instrument: tracing.instrumentDb } : {})
  } catch (e) {
    await tracing?.shutdown()
    throw e
  }
  let closeHsm = (): void => undefined
  try {
    const observability = createObservability({
      config,
      db,
      logger,
      tracing,
      ...(opts.metricsGatherer ? { metricsGatherer: opts.metricsGatherer } : {}),
    })
    const pending = await pendingMigrations(db)
    if (pending.length > 0) {
      if (!(opts.migrate || config.dev)) {
        throw new StartupError(
          `the database has ${pending.length} pending migration(s) (${pending.join(', ')}): run "orthrus migrate sql up -e --yes" first`,
        )
      }
      const applied = await migrateUp(db)
      logger.info({ migrations: applied }, 'applied database migrations')
    }
    await checkUnknownMigrations(db, config, logger)
    const network = await db.kysely.selectFrom('networks').select('id').orderBy('created_at').executeTakeFirst()
    if (!network) throw new StartupError('the database has no network row; it was not created by "orthrus migrate sql"')
    const nid = network.id
    const clients = new CachedClientStore(new SqlClientStore(db.kysely, nid), opts.clientCacheTtlMs ?? 5000, undefined, nowMs)
    // Bound once the OAuth 2.0 services (which hold the secret cache) exist.
    let forgetSecrets: (id: string) => void = () => {}
    const aead = new Aead(config.secrets.system)
    // Token, code and device sessions: sealed unless oauth2.session.encrypt_at_rest is false.
    const sessionData = new SessionData(aead, config.oauth2.session.encrypt_at_rest)
    const storage = new SqlStorage(db, nid, sessionData, {
      clients,
      // A client written (deleted) by a unit: its cached copy and verified secrets go at once;
      // other instances drop theirs within the cache's TTL (client/cached-store.ts).
      clientWritten: (id) => {
        clients.forget(id)
        forgetSecrets(id)
      },
      onRetry: (attempt, e) => logger.debug({ attempt, code: (e as { code?: unknown }).code }, 'retrying a unit of work after a transaction conflict'),
    })
    const hasher = createHasher(config.oauth2.hashers)
    // Every outbound request of the server goes through this one bounded fetcher (src/outbound/).
    const outbound = new OutboundFetcher({
      disallowPrivateIpRanges: config.clients.http.disallow_private_ip_ranges,
      privateIpExceptionUrls: config.clients.http.private_ip_exception_urls,
      log: (fields, message) => logger.info(fields, message),
    })
    const clientService = new ClientService({
      clients,
      units: storage,
      hasher,
      fetchSector: sectorFetcher(outbound),
      outbound,
      dev: config.dev,
      subjectTypes: [...config.oidc.subject_identifiers.supported_types],
      now,
    })
    const dynamicRegistration = new DynamicRegistration({
      clients,
      units: storage,
      hasher,
      tokens: new RegistrationTokens(config.secrets.system),
      dev: config.dev,
      subjectTypes: [...config.oidc.subject_identifiers.supported_types],
      defaultScope: [...config.oidc.dynamic_client_registration.default_scope],
      policy: {
        grantTypes: [...config.oidc.dynamic_client_registration.allowed_grant_types],
        scopes: [...config.oidc.dynamic_client_registration.allowed_scopes],
        audiences: [...config.oidc.dynamic_client_registration.allowed_audiences],
      },
      publicUrl: config.urls.self.public,
      fetchSector: sectorFetcher(outbound),
      outbound,
      now,
    })
    const keyAlgorithm = opts.keyAlgorithm ?? 'RS256'
    const hsm = config.hsm.enabled ? openHsm(config) : undefined
    const keys = new KeyManager({
      ...(hsm ? { hsm } : {}),
      store: new SqlJwkStore(db.kysely, nid),
      aead,
      nid,
      autoCreate: { [ID_TOKEN_SET]: keyAlgorithm, [ACCESS_TOKEN_SET]: keyAlgorithm },
      broadcast: config.webfinger.jwks.broadcast_keys,
      ...(opts.keyCacheTtlMs !== undefined ? { cacheTtlMs: opts.keyCacheTtlMs } : {}),
      now: nowMs,
      onUnreadable: (e) => logger.warn({ set: e.set, kid: e.kid }, e.message),
    })
    closeHsm = () => keys.close()
    try {
      await prepareKeys(keys, { logger, dev: config.dev })
    } catch (e) {
      if (e instanceof KeySecretError || e instanceof NoSigningKeyError || e instanceof HsmError) throw new StartupError(e.message)
      throw e
    }
    if (hsm) logger.info({ key_set_prefix: config.hsm.key_set_prefix }, 'signing keys are held in the hardware security module')
    // RFC 8628: device and user codes, shared by the device endpoint, the token endpoint and the flow.
    const device = {
      store: storage.autocommit.device,
      codes: new DeviceCodes(new HmacKeys(config.secrets.system), userCodeFormat(config.oauth2.device_authorization.user_code)),
    }
    const trust = new TrustService({ store: storage.autocommit.trust, aead, now })
    const { jti_optional, iat_optional, max_ttl } = config.oauth2.grant.jwt
    const trustedJwts = new TrustVerifier({
      store: storage.autocommit.trust,
      aead,
      tokens: storage.autocommit.tokens,
      policy: { jtiOptional: jti_optional, iatOptional: iat_optional, maxTtlMs: max_ttl },
    })
    const oauth2 = createOAuth2({
      config,
      clients,
      hasher,
      storage,
      aead: sessionData,
      keys,
      trustedJwts,
      device,
      dpopReplay: storage.autocommit.dpop,
      grantObserver: observability.grantObserver,
      logger,
      credentialNonces: aead,
      outbound,
      now,
      ...(opts.tokenHookTimeoutMs !== undefined ? { tokenHookTimeoutMs: opts.tokenHookTimeoutMs } : {}),
    })
    forgetSecrets = (id) => oauth2.clientAuth.forgetClient(nid, id)
    const flows = createFlows({
      config,
      clients,
      storage,
      keyRing: keys,
      clientKeys: oauth2.clientKeys,
      logouts: storage.autocommit.logouts,
      device,
      pushed: { store: storage.autocommit.pushed, clientAuth: oauth2.clientAuth, sealer: sessionData },
      logoutKeys: keys,
      warn: (fields, message) => logger.warn(fields, message),
      outbound,
      now,
      issuers: {
        tokens: oauth2.tokens,
        idTokens: oauth2.idTokens,
        ttl: { accessToken: config.ttl.access_token, idToken: config.ttl.id_token },
      },
    })
    return {
      config,
      logger,
      db,
      nid,
      clients,
      hasher,
      clientService,
      dynamicRegistration,
      aead,
      keys,
      keyRing: keys,
      storage,
      oauth2,
      flows,
      trust,
      observability,
      now,
      close: async () => {
        keys.close()
        await hasher.close()
        await db.close()
      },
    }
  } catch (e) {
    closeHsm()
    await db.close()
    await tracing?.shutdown()
    throw e
  }
}

/**
 * Hydra fails on table columns it has no field for unless db.ignore_unknown_table_columns is set
 * (sqlx's unsafe mode). Orthrus reads only the columns it knows, so it says so up front instead:
 * a database a newer version migrated is refused, or run with a warning when the key is set.
 */
async function checkUnknownMigrations(db: Db, config: Readonly<Config>, logger: Logger): Promise<void> {
  const unknown = await unknownAppliedMigrations(db)
  if (unknown.length === 0) return
  const what = `the database was migrated by a newer Orthrus (${unknown.join(', ')}): its tables may have columns this version does not know`
  if (!config.db.ignore_unknown_table_columns) {
    throw new StartupError(`${what}; upgrade Orthrus, or set db.ignore_unknown_table_columns to true to run with them ignored`)
  }
  logger.warn({ migrations: unknown }, `${what}; they are ignored (db.ignore_unknown_table_columns)`)
}

/** The PKCS#11 token of hsm.*; its native binding is loaded only when the HSM is enabled. */
function openHsm(config: Readonly<Config>): HsmKeys {
  try {
    return HsmKeys.open(config.hsm)
  } catch (e) {
    throw e instanceof HsmError ? new StartupError(e.message) : e
  }
}
