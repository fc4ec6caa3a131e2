import type { Client } from './model.js'

export interface Page<T> {
  items: T[]
  /** True when more items follow the last one returned. */
  hasMore: boolean
  /** Number of items matching the filters, over all pages. */
  total: number
}

export interface ClientListQuery {
  pageSize: number
  /** Keyset cursor: the last client id of the previous page. */
  after?: string
  name?: string
  owner?: string
}

export interface ClientStore {
  get(id: string): Promise<Client | undefined>
  /** Throws `conflict` when the id is taken. */
  create(c: Client): Promise<Client>
  /** Replaces every field but pk/nid/created_at; returns undefined for an unknown id. */
  update(c: Client): Promise<Client | undefined>
  /** Returns false for an unknown id. */
  delete(id: string): Promise<boolean>
  list(q: ClientListQuery): Promise<Page<Client>>
}
