// What the server checks about its keys before it listens: that secrets.system still opens
// them, and that the well-known sets have a signing key (created on first start).
import type { Logger } from '../logging.js'
import type { KeyManager } from './manager.js'

/** The keys cannot be used with the configured secrets.system; the message is one line for the operator. */
export class KeySecretError extends Error {
  override name = 'KeySecretError'
}

const RESTORE_HINT = 'restore the previous secret (rotation: add the new one first, keep the old one after it)'
// In --dev without secrets.system the secret comes from <database>.secret (config/dev-secret.ts);
// a database sealed before that file existed, or under SECRETS_SYSTEM, cannot be opened with it.
const DEV_HINT =
  '; in --dev without SECRETS_SYSTEM the secret is the one kept beside the SQLite database (<database>.secret), so this database was sealed with another one: set SECRETS_SYSTEM to that secret, or delete the database files (dev data) to start afresh'

export async function prepareKeys(keys: KeyManager, opts: { logger: Logger; dev: boolean }): Promise<void> {
  const { total, unreadable } = await keys.audit()
  const hint = opts.dev ? DEV_HINT : ''
  if (total > 0 && unreadable.length === total) {
    throw new KeySecretError(
      `secrets.system cannot decrypt the stored keys: the system secret is wrong or was removed; ${RESTORE_HINT}${hint}`,
    )
  }
  if (unreadable.length > 0) {
    // Not fatal: the keys that do open keep working, and the admin can delete the others.
    opts.logger.warn(
      { keys: unreadable.map((k) => `${k.set}/${k.kid}`) },
      `secrets.system cannot decrypt ${unreadable.length} of ${total} stored JSON Web Keys; they are not used for signing or published until the secret that sealed them is restored`,
    )
  }
  await keys.ensureSigningKeys()
}
