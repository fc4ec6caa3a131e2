// The server's JSON Web Keys: admin operations, the public key set, and the KeyRing the token
// code signs with. Key material is sealed with secrets.system before it reaches the store and
// opened here (codec.ts); parsed keys are cached briefly so signing does not hit the database.
// With an HSM (hsm.ts) the token comes first, as in Hydra's jwk.ManagerStrategy: generated keys
// live there, a set the token holds keys for is served from it (public halves only, signatures
// made in the token), and imported keys (PUT) go to the database.
import { createHash, randomUUID } from 'node:crypto'
import { SignJWT, decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose'
import type { CryptoKey, JWK, JWTPayload } from 'jose'
import type { Aead } from '../crypto/aead.js'
import { OAuthError, conflict, invalidRequest } from '../oauth2/errors.js'
import { KeyDecryptionError, openJwk, opens, sealJwk } from './codec.js'
import { generateJwk } from './generate.js'
import { isHsmAlg, type HsmKeys } from './hsm.js'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET, type KeyRing } from './keyring.js'
import { hasPrivatePart, publicJwk, type GenerateAlg, type Jwk } from './model.js'
import type { JwkStore, NewSealedKey, SealedKey } from './store.js'
import type { CreateKeyRequest } from './validate.js'

const DEFAULT_CACHE_TTL_MS = 5_000
/** A token naming an unknown kid re-reads the set, at most this often (another instance may have rotated). */
const RELOAD_ON_MISS_MS = 1_000

export class NoSigningKeyError extends Error {
  override name = 'NoSigningKeyError'
  constructor(readonly set: string) {
    super(`the JSON Web Key Set "${set}" has no private asymmetric key with use "sig"`)
  }
}

type KeyMaterial = CryptoKey | Uint8Array

interface LoadedKey {
  jwk: Jwk
  /** Present when the key has private material. */
  signing?: KeyMaterial
  /** Present for an HSM key that signs: the JWS signature of the signing input, made in the token. */
  signer?: (input: Buffer) => Promise<Buffer>
  verifying: KeyMaterial
}

export interface KeyManagerOptions {
  store: JwkStore
  aead: Aead
  /** The network id; it makes the fixed row id of auto-created keys unique per network. */
  nid: string
  /** Sets that must always have a signing key, created with the given algorithm when missing (Hydra's GetOrGenerateKeys). */
  autoCreate?: Readonly<Record<string, GenerateAlg>>
  /** Told once per key about a key that cannot be opened; the key is then left out of signing and the public set. */
  onUnreadable?: (e: KeyDecryptionError) => void
  /**
   * The sets /.well-known/jwks.json publishes besides the ID and access token sets, which Hydra
   * always publishes (webfinger.jwks.broadcast_keys).
   */
  broadcast?: readonly string[]
  /** How long parsed keys are used before the store is read again, so instances sharing a database converge. */
  cacheTtlMs?: number
  /** Milliseconds since the epoch: the cache's age, key creation times, and `exp`/`nbf` checks in verify. */
  now?: () => number
  /** The PKCS#11 token holding key sets (hsm.enabled); src/jwk/hsm.ts. */
  hsm?: HsmKeys
}

// Server-wide HMAC keys are never used for tokens: nobody but the server could verify them.
const canSign = (k: LoadedKey): boolean => k.jwk.use === 'sig' && (k.signing !== undefined || k.signer !== undefined) && k.jwk.kty !== 'oct'

export class KeyManager implements KeyRing {
  private readonly cache = new Map<string, { at: number; keys: Promise<LoadedKey[]> }>()
  private readonly ensuring = new Map<string, Promise<void>>()
  private readonly reported = new Set<string>()
  private readonly ttl: number
  private readonly now: () => number
  private lastStamp = 0

  constructor(private readonly opts: KeyManagerOptions) {
    this.ttl = opts.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS
    this.now = opts.now ?? Date.now
  }

  // ---- admin operations (uncached: the admin sees what the database holds) ----

  /** Generates one key and adds it to the set (creating the set); a taken kid is a conflict. */
  async create(set: string, req: CreateKeyRequest): Promise<Jwk> {
    const kid = req.kid ?? randomUUID()
    if (this.opts.hsm) return this.write(set, () => this.generateInToken(set, req.alg, req.use, kid))
    const jwk = await generateJwk(req.alg, req.use, kid)
    await this.write(set, () => this.opts.store.addKeys([this.seal(set, jwk, this.stamp())]))
    return jwk
  }

  /** The private keys of a set, newest first; empty for an unknown set. Public halves only for a set in the HSM. */
  async getSet(set: string): Promise<Jwk[]> {
    const held = this.opts.hsm?.list(set) ?? []
    if (held.length > 0) return held.map((k) => k.jwk)
    return (await this.opts.store.getSet(set)).map((s) => this.open(s))
  }

  async getKey(set: string, kid: string): Promise<Jwk | undefined> {
    const held = this.opts.hsm?.list(set).find((k) => k.jwk.kid === kid)
    if (held) return held.jwk
    const sealed = await this.opts.store.getKey(set, kid)
    return sealed && this.open(sealed)
  }

  /** Replaces the whole set; the first key given becomes the newest, so it is the one that signs. */
  async replaceSet(set: string, keys: readonly Jwk[]): Promise<Jwk[]> {
    const stamps = keys.map(() => this.stamp()).reverse()
    await this.write(set, () => this.opts.store.replaceSet(set, keys.map((k, i) => this.seal(set, k, stamps[i] ?? this.stamp()))))
    return [...keys]
  }

  /** Adds the key, or replaces the key with its kid; either way it becomes the newest of the set. */
  async putKey(set: string, jwk: Jwk): Promise<Jwk> {
    await this.write(set, () => this.opts.store.replaceKey(this.seal(set, jwk, this.stamp())))
    return jwk
  }

  async deleteSet(set: string): Promise<boolean> {
    return this.write(set, async () => (this.opts.hsm?.delete(set) ?? 0) > 0 || (await this.opts.store.deleteSet(set)) > 0)
  }

  async deleteKey(set: string, kid: string): Promise<boolean> {
    return this.write(set, async () => (this.opts.hsm?.delete(set, kid) ?? 0) > 0 || this.opts.store.deleteKey(set, kid))
  }

  // ---- what the public sees ----

  /** Public halves of the keys of the given sets, newest first; symmetric keys are left out. */
  async publicKeys(sets: readonly string[]): Promise<JWK[]> {
    const out: JWK[] = []
    for (const set of sets) {
      for (const k of await this.usable(set)) {
        const pub = publicJwk(k.jwk)
        if (pub) out.push(pub)
      }
    }
    return out
  }

  /** The public keys of every published set (Hydra's WellKnownKeys). */
  async publishedKeys(): Promise<JWK[]> {
    return this.publicKeys(publishedSets(this.opts.broadcast ?? []))
  }

  // ---- KeyRing ----

  async sign(set: string, claims: JWTPayload, header: { typ?: string } = {}): Promise<string> {
    const key = (await this.usable(set)).find(canSign)
    if (key?.signer) return signInToken(key.jwk, claims, header, key.signer)
    if (!key?.signing) throw new NoSigningKeyError(set)
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.jwk.alg, kid: key.jwk.kid, ...(header.typ ? { typ: header.typ } : {}) })
      .sign(key.signing)
  }

  async signingAlg(set: string): Promise<string | undefined> {
    return (await this.usable(set)).find(canSign)?.jwk.alg
  }

  async verify(set: string, token: string): Promise<{ payload: JWTPayload; kid: string }> {
    const { kid, alg } = decodeProtectedHeader(token)
    let keys = await this.cached(set)
    if (kid !== undefined && !keys.some((k) => k.jwk.kid === kid)) keys = await this.cached(set, RELOAD_ON_MISS_MS)
    const byKid = keys.filter((k) => k.jwk.kid === kid)
    // RFC 7517 §4.2: only keys meant for signatures verify them; the header's alg must be the key's.
    const candidates = (byKid.length > 0 ? byKid : keys).filter((k) => k.jwk.use === 'sig' && k.jwk.alg === alg)
    for (const k of candidates) {
      try {
        const { payload } = await jwtVerify(token, k.verifying, { algorithms: [k.jwk.alg], currentDate: new Date(this.now()) })
        return { payload, kid: k.jwk.kid }
      } catch (e) {
        // A valid signature with a failing claim (exp, nbf) is final; a wrong key means try the next.
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e
      }
    }
    throw new errors.JWSSignatureVerificationFailed()
  }

  /**
   * Every key set with its number of keys, by name. Hydra's API has no such list; the admin
   * console's overview shows it (names and counts only, nothing is opened).
   */
  async sets(): Promise<Array<{ set: string; keys: number }>> {
    const counts = new Map<string, number>()
    for (const s of await this.opts.store.all()) counts.set(s.set, (counts.get(s.set) ?? 0) + 1)
    return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([set, keys]) => ({ set, keys }))
  }

  // ---- startup ----

  /** Counts the stored keys and names those secrets.system cannot open (set and kid only). */
  async audit(): Promise<{ total: number; unreadable: Array<{ set: string; kid: string }> }> {
    const all = await this.opts.store.all()
    const unreadable = all.filter((s) => !opens(this.opts.aead, s)).map((s) => ({ set: s.set, kid: s.kid }))
    return { total: all.length, unreadable }
  }

  /** The sets that always get a signing key (the well-known ones). */
  get autoCreatedSets(): string[] {
    return Object.keys(this.opts.autoCreate ?? {})
  }

  /** Makes sure every auto-created set has a signing key; safe when several instances start at once. */
  async ensureSigningKeys(): Promise<void> {
    for (const set of this.autoCreatedSets) await this.ensureSigningKey(set)
  }

  /** Closes the HSM session, when there is one. */
  close(): void {
    this.opts.hsm?.close()
  }

  /** Forgets parsed keys (of one set, or all), e.g. after another writer changed them. */
  invalidate(set?: string): void {
    if (set === undefined) this.cache.clear()
    else this.cache.delete(set)
  }

  // ---- internals ----

  /** The cached keys of a set, generating a signing key first for an auto-created set without one. */
  private async usable(set: string): Promise<LoadedKey[]> {
    const keys = await this.cached(set)
    if (keys.some(canSign) || !this.opts.autoCreate?.[set]) return keys
    await this.ensureSigningKey(set)
    return this.cached(set)
  }

  /** One generation per set at a time in this process; other processes are handled by the fixed row id. */
  private ensureSigningKey(set: string): Promise<void> {
    let running = this.ensuring.get(set)
    if (!running) {
      running = this.createSigningKey(set).finally(() => this.ensuring.delete(set))
      this.ensuring.set(set, running)
    }
    return running
  }

  private async createSigningKey(set: string): Promise<void> {
    const alg = this.opts.autoCreate?.[set]
    if (!alg || (await this.cached(set, 0)).some(canSign)) return
    if (this.opts.hsm) {
      await this.write(set, () => this.generateInToken(set, alg, 'sig', randomUUID()))
      if (!(await this.cached(set)).some(canSign)) throw new NoSigningKeyError(set)
      return
    }
    const jwk = await generateJwk(alg, 'sig', randomUUID())
    try {
      // The fixed row id makes a second instance racing to create the same key collide instead of adding another.
      await this.opts.store.addKeys([{ ...this.seal(set, jwk, this.stamp()), pk: fixedPk(this.opts.nid, set) }])
    } catch (e) {
      if (!(e instanceof OAuthError && e.status === 409)) throw e
    } finally {
      this.invalidate(set)
    }
    if (!(await this.cached(set)).some(canSign)) throw new NoSigningKeyError(set)
  }

  private cached(set: string, maxAgeMs = this.ttl): Promise<LoadedKey[]> {
    const now = this.now()
    const hit = this.cache.get(set)
    if (hit && now - hit.at < maxAgeMs) return hit.keys
    const entry = { at: now, keys: this.load(set) }
    this.cache.set(set, entry)
    // A failed load is not remembered: the next call tries again.
    entry.keys.catch(() => {
      if (this.cache.get(set) === entry) this.cache.delete(set)
    })
    return entry.keys
  }

  private async generateInToken(set: string, alg: string, use: Jwk['use'], kid: string): Promise<Jwk> {
    const hsm = this.opts.hsm as HsmKeys
    if (!isHsmAlg(alg)) throw invalidRequest(`The HSM holds RS256, ES256 and ES512 keys only, not ${alg}.`)
    if (hsm.list(set).some((k) => k.jwk.kid === kid)) throw conflict(`The JSON Web Key "${kid}" exists already in the set "${set}".`)
    return hsm.generate(set, alg, use, kid)
  }

  private async load(set: string): Promise<LoadedKey[]> {
    const held = this.opts.hsm?.list(set) ?? []
    if (held.length > 0) return Promise.all(held.map((k) => this.tokenKey(set, k.jwk, k.canSign)))
    const sealed = await this.opts.store.getSet(set)
    const loaded = await Promise.all(
      sealed.map(async (s) => {
        try {
          return await importKey(this.open(s))
        } catch (e) {
          const err =
            e instanceof KeyDecryptionError
              ? e
              : new KeyDecryptionError(s.set, s.kid, `jose cannot import it (${e instanceof Error ? e.message : String(e)})`)
          this.reportUnreadable(err)
          return undefined
        }
      }),
    )
    return loaded.filter((k): k is LoadedKey => k !== undefined)
  }

  private async tokenKey(set: string, jwk: Jwk, signs: boolean): Promise<LoadedKey> {
    const hsm = this.opts.hsm as HsmKeys
    const verifying = await importJWK(jwk, jwk.alg)
    return signs ? { jwk, verifying, signer: (input) => hsm.sign(set, jwk.kid, jwk.alg, input) } : { jwk, verifying }
  }

  private reportUnreadable(e: KeyDecryptionError): void {
    const id = `${e.set}\0${e.kid}`
    if (this.reported.has(id)) return
    this.reported.add(id)
    this.opts.onUnreadable?.(e)
  }

  private async write<T>(set: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } finally {
      this.invalidate(set)
    }
  }

  private seal(set: string, jwk: Jwk, createdAt: number): NewSealedKey {
    return sealJwk(this.opts.aead, set, jwk, createdAt)
  }

  private open(s: SealedKey): Jwk {
    return openJwk(this.opts.aead, s)
  }

  /** Strictly increasing creation times, so "newest key" is well defined within one process. */
  private stamp(): number {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1)
    return this.lastStamp
  }
}

/** Hydra's WellKnownKeys: the configured sets, then the access and ID token sets, without repeats. */
export function publishedSets(broadcast: readonly string[]): string[] {
  return [...new Set([...broadcast, ACCESS_TOKEN_SET, ID_TOKEN_SET])]
}

/** A compact JWS (RFC 7515 §7.1) whose signature the HSM makes; the private key never leaves it. */
async function signInToken(jwk: Jwk, claims: JWTPayload, header: { typ?: string }, signer: (input: Buffer) => Promise<Buffer>): Promise<string> {
  const protectedHeader = { alg: jwk.alg, kid: jwk.kid, ...(header.typ ? { typ: header.typ } : {}) }
  const input = `${b64(JSON.stringify(protectedHeader))}.${b64(JSON.stringify(claims))}`
  return `${input}.${(await signer(Buffer.from(input, 'ascii'))).toString('base64url')}`
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url')

async function importKey(jwk: Jwk): Promise<LoadedKey> {
  // key_ops and ext would only restrict what the server itself may do with its own key.
  const { key_ops: _ops, ext: _ext, ...plain } = jwk
  if (jwk.kty === 'oct') {
    const key = await importJWK(plain, jwk.alg)
    return { jwk, signing: key, verifying: key }
  }
  const verifying = await importJWK(publicJwk(jwk) ?? plain, jwk.alg)
  return hasPrivatePart(jwk) ? { jwk, signing: await importJWK(plain, jwk.alg), verifying } : { jwk, verifying }
}

/** A UUID-shaped row id derived from (network, set) (RFC 9562 §5.8 layout). */
function fixedPk(nid: string, set: string): string {
  const h = createHash('sha256').update(`orthrus auto-created key\0${nid}\0${set}`).digest().subarray(0, 16)
  h.writeUInt8((h.readUInt8(6) & 0x0f) | 0x80, 6)
  h.writeUInt8((h.readUInt8(8) & 0x3f) | 0x80, 8)
  const hex = h.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
