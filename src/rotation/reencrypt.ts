// `orthrus secrets reencrypt`: after a new secret is put first in secrets.system (the old ones
// after it), re-seals every value at rest that only an older secret opens, so the old secrets
// can then be removed. Hydra has no such step (its data stays sealed under the old secret until
// rewritten); this is an Orthrus addition.
//
// What it cannot carry over: opaque tokens, authorization codes, device codes and dynamic
// registration access tokens are HMACs under secrets.system, not sealed values. They stay valid
// only while the secret that signed them is still listed; remove an old secret only once the
// tokens it signed may stop working (or have expired).
import { DecryptionError, type Aead } from '../crypto/aead.js'
import { isPlaintext } from '../crypto/session-data.js'

/** Columns holding values sealed with crypto/aead.ts. */
export type SealedColumn = 'jwk' | 'trust-key' | 'access-session' | 'refresh-session' | 'code-session' | 'device-session'

/** The purpose each column's values were sealed under (their associated data). */
export const SEALED_PURPOSE: Record<SealedColumn, string> = {
  jwk: 'jwk',
  'trust-key': 'trust-jwk',
  'access-session': 'session',
  'refresh-session': 'session',
  'code-session': 'session',
  'device-session': 'session',
}

export const SEALED_LABEL: Record<SealedColumn, string> = {
  jwk: 'JSON Web Keys',
  'trust-key': 'trust relationship keys',
  'access-session': 'access token sessions',
  'refresh-session': 'refresh token sessions',
  'code-session': 'authorization code sessions',
  'device-session': 'device authorization sessions',
}

export interface SealedValue {
  key: string
  value: string
}

export interface SealedValueStore {
  /** Whether the column's table exists in this database. */
  has(column: SealedColumn): Promise<boolean>
  /** Up to `limit` values after `after`, in primary-key order. */
  page(column: SealedColumn, after: string | undefined, limit: number): Promise<SealedValue[]>
  /** Replaces the value only if it is still `expected`; false when it changed meanwhile. */
  replace(column: SealedColumn, key: string, expected: string, next: string): Promise<boolean>
}

export interface ReencryptResult {
  column: SealedColumn
  label: string
  /** Re-sealed under the first secret. */
  resealed: number
  /** Already sealed under the first secret. */
  current: number
  /** Opened by no configured secret (or malformed): left as they are. */
  unreadable: number
  /** Sessions stored unencrypted (oauth2.session.encrypt_at_rest false): nothing to re-seal. */
  plaintext: number
  skipped?: string
}

export async function reencrypt(
  aead: Aead,
  store: SealedValueStore,
  opts: { batchSize?: number; columns?: readonly SealedColumn[] } = {},
): Promise<ReencryptResult[]> {
  const batchSize = opts.batchSize ?? 100
  const columns = opts.columns ?? (Object.keys(SEALED_PURPOSE) as SealedColumn[])
  const results: ReencryptResult[] = []
  for (const column of columns) {
    const r: ReencryptResult = { column, label: SEALED_LABEL[column], resealed: 0, current: 0, unreadable: 0, plaintext: 0 }
    results.push(r)
    if (!(await store.has(column))) {
      r.skipped = 'its table does not exist in this database'
      continue
    }
    const purpose = SEALED_PURPOSE[column]
    let after: string | undefined
    for (;;) {
      const page = await store.page(column, after, batchSize)
      for (const { key, value } of page) {
        if (purpose === 'session' && isPlaintext(value)) {
          r.plaintext++
          continue
        }
        let plain: Buffer
        try {
          if (!aead.needsRotation(value, purpose)) {
            r.current++
            continue
          }
          plain = aead.open(value, purpose)
        } catch (e) {
          if (!(e instanceof DecryptionError)) throw e
          r.unreadable++
          continue
        }
        // A value rewritten meanwhile was sealed by a server, hence under the first secret already.
        if (await store.replace(column, key, value, aead.seal(plain, purpose))) r.resealed++
        else r.current++
      }
      if (page.length < batchSize) break
      after = page[page.length - 1]?.key
    }
  }
  return results
}
