// What the server checks about its keys before it listens: that secrets.system still opens
// them, and that the well-known sets have a signing key (created on first start).
import type { Logger } from '../logging.js'
import type { KeyManager } from './manager.js'

/** The keys cannot be used with the configured secrets.system; the message is one line for the operator. */
export class KeySecretError extends Error {
  override name = 'KeySecretError'
}

const RESTORE_HINT = 'restore the previous secret (rotation: add the new one first, keep the old one after it)'
// loader.ts generates a throw-away secret in --dev when none is set, which cannot open last run's keys.
const DEV_HINT = '; in --dev without SECRETS_SYSTEM every start generates a new secret: set SECRETS_SYSTEM or use a fresh database'

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
