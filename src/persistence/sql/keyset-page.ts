// Admin lists page by keyset on the primary key (docs/architecture.md, Storage): one row more than
// the page is read to learn whether another page follows, and the filters are counted in parallel.
import type { Page } from '../../client/store.js'
import { toNumber } from '../db.js'

export async function keysetPage<Row, Item>(
  pageSize: number,
  query: {
    /** The rows after the cursor, in key order, at most `limit` of them. */
    rows: (limit: number) => Promise<Row[]>
    /** All rows the filters match, over all pages. */
    count: () => Promise<{ n: number | string }>
  },
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const [rows, count] = await Promise.all([query.rows(pageSize + 1), query.count()])
  return {
    items: rows.slice(0, pageSize).map(toItem),
    hasMore: rows.length > pageSize,
    total: toNumber(count.n),
  }
}
