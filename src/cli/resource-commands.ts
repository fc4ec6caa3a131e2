// What the admin resource commands (oauth2-client, jwt-bearer-grant, ...) share: reading
// --endpoint/--format, a page of a list, several gets, and deleting several ids one by one.
import { adminRequest, resolveEndpoint, type EndpointKind } from './endpoint.js'
import { CliError, io, parseFormat, printList, printResult, printValues } from './output.js'
import type { Column, Format } from './output.js'

type Opts = Record<string, unknown>

export interface CommandContext {
  endpoint: string
  format: Format
}

export function commandContext(opts: Opts, kind: EndpointKind = 'admin'): CommandContext {
  const format = parseFormat(typeof opts['format'] === 'string' ? opts['format'] : undefined)
  const flag = typeof opts['endpoint'] === 'string' ? opts['endpoint'] : undefined
  return { format, endpoint: resolveEndpoint(flag, kind) }
}

/**
 * The query of one list page: page_size from --page-size (1-1000), the non-empty `filters` in
 * order, then page_token from --page-token.
 */
export function pageQuery(opts: Opts, filters: Readonly<Record<string, unknown>> = {}): URLSearchParams {
  const size = Number(opts['pageSize'])
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new CliError(`--page-size must be an integer from 1 to 1000, got "${String(opts['pageSize'])}"`)
  }
  const query = new URLSearchParams({ page_size: String(size) })
  for (const [name, value] of Object.entries(filters)) if (typeof value === 'string' && value !== '') query.set(name, value)
  if (typeof opts['pageToken'] === 'string' && opts['pageToken'] !== '') query.set('page_token', opts['pageToken'])
  return query
}

/** One item as a KEY VALUE table (or itself); several as a list. */
export function printOneOrMany<T>(
  format: Format,
  items: readonly T[],
  itemColumns: ReadonlyArray<Column<T>>,
  listColumns: ReadonlyArray<Column<T>> = itemColumns,
): void {
  const [only] = items
  if (items.length === 1 && only) printResult(format, only, itemColumns)
  else printList(format, items, listColumns)
}

/**
 * DELETEs each id in turn: prints the ids deleted, reports each failure as it happens (`what` names
 * the resource in that line), and fails at the end if any id could not be deleted.
 */
export async function deleteEach(
  ctx: CommandContext,
  ids: readonly string[],
  path: (id: string) => string,
  what: string,
): Promise<void> {
  const deleted: string[] = []
  const failed: string[] = []
  for (const id of ids) {
    try {
      await adminRequest(ctx.endpoint, 'DELETE', path(id))
      deleted.push(id)
    } catch (err) {
      if (!(err instanceof CliError)) throw err
      failed.push(id)
      io.stderr(`Error: could not delete ${what} ${id}: ${err.message}\n`)
    }
  }
  printValues(ctx.format, deleted)
  if (failed.length > 0) throw new CliError(`could not delete ${failed.join(', ')}`, { reported: true })
}
