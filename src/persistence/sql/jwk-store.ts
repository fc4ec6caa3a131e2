import { randomUUID } from 'node:crypto'
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { JwkStore, NewSealedKey, SealedKey } from '../../jwk/store.js'
import { conflict } from '../../oauth2/errors.js'
import { toDate } from '../db.js'
import type { Database, JwkTable } from '../schema.js'
import { isUniqueViolation } from './errors.js'

type Row = Pick<Selectable<JwkTable>, 'sid' | 'kid' | 'keydata' | 'created_at'>

const fromRow = (r: Row): SealedKey => ({ set: r.sid, kid: r.kid, keydata: r.keydata, createdAt: toDate(r.created_at) })

export class SqlJwkStore implements JwkStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly nid: string,
  ) {}

  private select(db: Kysely<Database> = this.db) {
    return db
      .selectFrom('hydra_jwk')
      .select(['sid', 'kid', 'keydata', 'created_at'])
      .where('nid', '=', this.nid)
      // Newest first: the signing key of a set is its newest key. kid breaks ties deterministically.
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
  }

  private toRow(k: NewSealedKey): Insertable<JwkTable> {
    return { pk: k.pk ?? randomUUID(), nid: this.nid, sid: k.set, kid: k.kid, version: 0, keydata: k.keydata, created_at: k.createdAt }
  }

  async getSet(set: string): Promise<SealedKey[]> {
    return (await this.select().where('sid', '=', set).execute()).map(fromRow)
  }

  async getKey(set: string, kid: string): Promise<SealedKey | undefined> {
    const row = await this.select().where('sid', '=', set).where('kid', '=', kid).executeTakeFirst()
    return row ? fromRow(row) : undefined
  }

  async all(): Promise<SealedKey[]> {
    return (await this.select().execute()).map(fromRow)
  }

  async addKeys(keys: readonly NewSealedKey[]): Promise<void> {
    if (keys.length === 0) return
    await this.write(() => this.db.insertInto('hydra_jwk').values(keys.map((k) => this.toRow(k))).execute())
  }

  async replaceSet(set: string, keys: readonly NewSealedKey[]): Promise<void> {
    await this.write(() =>
      this.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('hydra_jwk').where('nid', '=', this.nid).where('sid', '=', set).execute()
        if (keys.length > 0) await tx.insertInto('hydra_jwk').values(keys.map((k) => this.toRow({ ...k, set }))).execute()
      }),
    )
  }

  async replaceKey(key: NewSealedKey): Promise<void> {
    await this.write(() =>
      this.db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('hydra_jwk')
          .where('nid', '=', this.nid)
          .where('sid', '=', key.set)
          .where('kid', '=', key.kid)
          .execute()
        await tx.insertInto('hydra_jwk').values(this.toRow(key)).execute()
      }),
    )
  }

  async deleteSet(set: string): Promise<number> {
    const res = await this.db.deleteFrom('hydra_jwk').where('nid', '=', this.nid).where('sid', '=', set).executeTakeFirst()
    return Number(res.numDeletedRows)
  }

  async deleteKey(set: string, kid: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('hydra_jwk')
      .where('nid', '=', this.nid)
      .where('sid', '=', set)
      .where('kid', '=', kid)
      .executeTakeFirst()
    return Number(res.numDeletedRows) > 0
  }

  private async write(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn()
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('A JSON Web Key with this key id exists already in the set.')
      throw e
    }
  }
}
