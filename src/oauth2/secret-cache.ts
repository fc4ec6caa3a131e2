// Client secrets are hashed with PBKDF2 or bcrypt on purpose, which makes checking them the
// most expensive step of a token request. Successful checks are remembered for a while, so a
// busy machine client pays once, not on every request.
import { createHmac, randomBytes } from 'node:crypto'
import type { SecretHasher } from '../crypto/hasher.js'
import type { Client } from '../client/model.js'

const DEFAULT_MAX_ENTRIES = 10_000

const clientKey = (nid: string, clientId: string): string => JSON.stringify([nid, clientId])

export class SecretVerifier {
  // Keys are HMACs under a key that lives only in this process: the cache never holds a
  // secret, nor a fast unsalted hash of one that could be brute-forced from a memory dump.
  private readonly pepper = randomBytes(32)
  /** Insertion order is recency order: a hit is moved to the end, the oldest entry evicted. */
  private readonly verified = new Map<string, true>()
  /** Concurrent checks of the same presented secret share one hash computation. */
  private readonly pending = new Map<string, Promise<boolean>>()
  /** The remembered keys of each client (by nid and client id), so a deleted client is forgotten at once. */
  private readonly byClient = new Map<string, Set<string>>()
  private readonly clientOf = new Map<string, string>()

  constructor(
    private readonly hasher: SecretHasher,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  // The stored hashes and updated_at are part of the key: a rotation, deleting the rotated
  // secrets, or any other change to the client makes every earlier entry unreachable. Other
  // instances follow once their client cache (CachedClientStore) has read the changed row.
  private keyFor(client: Client, presented: string): string {
    return createHmac('sha256', this.pepper)
      .update(JSON.stringify([client.nid, client.client_id, client.secret_hash, client.rotated_secret_hashes, client.updated_at.getTime(), presented]))
      .digest('base64url')
  }

  /** Whether `presented` is the client's secret or one of its rotated, still valid, previous ones. */
  async verify(client: Client, presented: string): Promise<boolean> {
    if (client.secret_hash === '') return false
    const key = this.keyFor(client, presented)
    if (this.verified.has(key)) {
      this.verified.delete(key)
      this.verified.set(key, true)
      return true
    }
    let check = this.pending.get(key)
    if (!check) {
      check = this.matchesAny(presented, [client.secret_hash, ...client.rotated_secret_hashes]).finally(() => this.pending.delete(key))
      this.pending.set(key, check)
    }
    const ok = await check
    // Failures are never remembered: each wrong guess costs the guesser a full hash.
    if (ok) this.remember(key, clientKey(client.nid, client.client_id))
    return ok
  }

  private async matchesAny(presented: string, hashes: readonly string[]): Promise<boolean> {
    for (const hash of hashes) if (await this.hasher.verify(presented, hash)) return true
    return false
  }

  /**
   * Forgets every verified secret of a client (deleted or changed through this process). Other
   * processes never reach their entries for a deleted client either: a check starts from the
   * client read, which their client cache refreshes within its TTL, and a client recreated
   * under the same id has another hash and updated_at, so another key.
   */
  forget(nid: string, clientId: string): void {
    const id = clientKey(nid, clientId)
    for (const key of this.byClient.get(id) ?? []) {
      this.verified.delete(key)
      this.clientOf.delete(key)
    }
    this.byClient.delete(id)
  }

  private remember(key: string, client: string): void {
    this.verified.delete(key)
    this.verified.set(key, true)
    this.clientOf.set(key, client)
    let keys = this.byClient.get(client)
    if (!keys) this.byClient.set(client, (keys = new Set()))
    keys.add(key)
    while (this.verified.size > this.maxEntries) {
      const oldest = this.verified.keys().next().value
      if (oldest === undefined) break
      this.drop(oldest)
    }
  }

  private drop(key: string): void {
    this.verified.delete(key)
    const client = this.clientOf.get(key)
    this.clientOf.delete(key)
    if (client === undefined) return
    const keys = this.byClient.get(client)
    keys?.delete(key)
    if (keys?.size === 0) this.byClient.delete(client)
  }

  /** Number of remembered verifications (for tests and metrics). */
  get size(): number {
    return this.verified.size
  }
}
