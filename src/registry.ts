import type { Config } from './config/types.js'
import { createHasher, type SecretHasher } from './crypto/hasher.js'
import { ClientService } from './client/service.js'
import type { ClientStore } from './client/store.js'
import { createLogger, type Logger } from './logging.js'
import { openDb, type Db } from './persistence/db.js'
import { migrateUp, pendingMigrations } from './persistence/migrate.js'
import { SqlClientStore } from './persistence/sql/client-store.js'

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
  close(): Promise<void>
}

export class StartupError extends Error {
  override name = 'StartupError'
}

export interface RegistryOptions {
  logger?: Logger
  /** Apply pending migrations instead of refusing to start (always on in dev mode). */
  migrate?: boolean
}

export async function createRegistry(config: Readonly<Config>, opts: RegistryOptions = {}): Promise<Registry> {
  const logger = opts.logger ?? createLogger(config.log)
  const db = await openDb(config.dsn)
  try {
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
    const network = await db.kysely.selectFrom('networks').select('id').orderBy('created_at').executeTakeFirst()
    if (!network) throw new StartupError('the database has no network row; it was not created by "orthrus migrate sql"')
    const nid = network.id
    const clients = new SqlClientStore(db.kysely, nid)
    const hasher = createHasher(config.oauth2.hashers)
    const clientService = new ClientService({
      clients,
      hasher,
      dev: config.dev,
      subjectTypes: [...config.oidc.subject_identifiers.supported_types],
    })
    return {
      config,
      logger,
      db,
      nid,
      clients,
      hasher,
      clientService,
      close: () => db.close(),
    }
  } catch (e) {
    await db.close()
    throw e
  }
}
