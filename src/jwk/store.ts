// Storage of JSON Web Keys. The store only ever sees sealed key material: the manager seals
// each JWK with secrets.system before it gets here and opens it after (src/jwk/manager.ts).

export interface SealedKey {
  /** The key set id (Hydra's `sid`). */
  set: string
  kid: string
  /** The full JWK as JSON, sealed with `Aead.seal(json, 'jwk')`. Never plaintext. */
  keydata: string
  createdAt: Date
}

export interface NewSealedKey extends SealedKey {
  /** Row id; random when absent. A fixed one makes concurrent first inserts collide on purpose. */
  pk?: string
}

export interface JwkStore {
  /** The keys of a set, newest first; empty for an unknown set. */
  getSet(set: string): Promise<SealedKey[]>
  getKey(set: string, kid: string): Promise<SealedKey | undefined>
  /** Every key of the network, newest first (startup checks; key counts are small). */
  all(): Promise<SealedKey[]>
  /** Inserts all keys or none; throws `conflict` when a (set, kid) or pk exists already. */
  addKeys(keys: readonly NewSealedKey[]): Promise<void>
  /** Replaces every key of the set with the given ones, atomically. */
  replaceSet(set: string, keys: readonly NewSealedKey[]): Promise<void>
  /** Inserts the key or replaces the one with the same (set, kid), atomically. */
  replaceKey(key: NewSealedKey): Promise<void>
  /** Returns the number of keys deleted. */
  deleteSet(set: string): Promise<number>
  /** Returns false when there was no such key. */
  deleteKey(set: string, kid: string): Promise<boolean>
}
