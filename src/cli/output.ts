// How CLI results and errors reach the terminal: --format handling, tables, and the error handler.
import type { Command } from 'commander'
import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'

// Loading the yaml package takes longer than the rest of a client command's start-up; only
// --format yaml and -c files need it, so it is required on first use.
const requireCjs = createRequire(import.meta.url)
export const yaml = (): typeof Yaml => requireCjs('yaml') as typeof Yaml

/** A failure to show the user as one `Error: …` line; `reported` means it was already shown. */
export class CliError extends Error {
  readonly reported: boolean

  constructor(message: string, options: { reported?: boolean } = {}) {
    super(message)
    this.name = 'CliError'
    this.reported = options.reported ?? false
  }
}

/** Everything the CLI reads from or writes to the process; replaceable so tests can capture it. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  readStdin(): Promise<string>
  setExitCode(code: number): void
}

const processIo: CliIo = {
  stdout: (text) => {
    process.stdout.write(text)
  },
  stderr: (text) => {
    process.stderr.write(text)
  },
  readStdin: async () => {
    // Waiting on an interactive terminal would look like a hang.
    if (process.stdin.isTTY) throw new CliError('nothing to read: pass a file or pipe JSON on stdin')
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer))
    return Buffer.concat(chunks).toString('utf8')
  },
  setExitCode: (code) => {
    process.exitCode = code
  },
}

let currentIo: CliIo = processIo

/** Always forwards to the current sink, so modules can hold on to it. */
export const io: CliIo = {
  stdout: (text) => currentIo.stdout(text),
  stderr: (text) => currentIo.stderr(text),
  readStdin: () => currentIo.readStdin(),
  setExitCode: (code) => currentIo.setExitCode(code),
}

/** Replaces parts of the sink; returns a function restoring the previous one. */
export function setCliIo(overrides: Partial<CliIo>): () => void {
  const previous = currentIo
  currentIo = { ...previous, ...overrides }
  return () => {
    currentIo = previous
  }
}

/** Wraps a commander action: any error becomes one `Error: …` line on stderr and exit code 1. */
export function runAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args)
    } catch (err) {
      reportError(err)
    }
  }
}

export function reportError(err: unknown): void {
  if (!(err instanceof CliError && err.reported)) {
    const message = err instanceof Error ? err.message : String(err)
    io.stderr(`Error: ${message.replace(/\s+/g, ' ').trim()}\n`)
  }
  io.setExitCode(1)
}

// ---- formats ----

export type PathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }

export type Format =
  | { kind: 'table' }
  | { kind: 'json' }
  | { kind: 'json-pretty' }
  | { kind: 'yaml' }
  | { kind: 'jsonpath'; expr: string; path: PathSegment[] }

export const FORMAT_HELP = 'table, json, json-pretty, yaml or jsonpath=<expr> (e.g. jsonpath={.client_id})'

export function addFormatOption(cmd: Command): Command {
  return cmd.option('--format <format>', `output format: ${FORMAT_HELP}`, 'table')
}

export function parseFormat(raw: string | undefined): Format {
  const value = (raw ?? 'table').trim()
  switch (value) {
    case 'table':
    case 'json':
    case 'json-pretty':
    case 'yaml':
      return { kind: value }
  }
  if (value.startsWith('jsonpath=')) {
    const expr = value.slice('jsonpath='.length)
    return { kind: 'jsonpath', expr, path: parseJsonPath(expr) }
  }
  throw new CliError(`unknown --format "${value}": use ${FORMAT_HELP}`)
}

/**
 * The supported JSONPath subset: an optional `{…}` wrapper and `$`, then `.name` steps,
 * `[n]` indexes (negative counts from the end), `['name']`, and `*` / `[*]` wildcards.
 * `{.}` or an empty expression is the whole value.
 */
export function parseJsonPath(expr: string): PathSegment[] {
  const bad = (why: string): CliError => new CliError(`invalid jsonpath "${expr}": ${why}`)
  let s = expr.trim()
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw bad('missing closing }')
    s = s.slice(1, -1).trim()
  }
  if (s.startsWith('$')) s = s.slice(1)
  const segments: PathSegment[] = []
  let i = 0
  while (i < s.length) {
    if (s[i] === '[') {
      const end = s.indexOf(']', i)
      if (end < 0) throw bad('missing closing ]')
      segments.push(parseBracket(s.slice(i + 1, end).trim(), bad))
      i = end + 1
      continue
    }
    if (s[i] === '.') {
      i++
      if (i === s.length || s[i] === '[') continue
      if (s[i] === '.') throw bad('recursive descent (..) is not supported')
    }
    let j = i
    while (j < s.length && s[j] !== '.' && s[j] !== '[') j++
    const name = s.slice(i, j)
    if (name === '') throw bad(`unexpected "${s[i] ?? ''}"`)
    segments.push(name === '*' ? { kind: 'wildcard' } : { kind: 'key', key: name })
    i = j
  }
  return segments
}

function parseBracket(inner: string, bad: (why: string) => CliError): PathSegment {
  if (inner === '*') return { kind: 'wildcard' }
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) }
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(inner)
  if (quoted) return { kind: 'key', key: quoted[1] ?? quoted[2] ?? '' }
  throw bad(`unsupported selector [${inner}]`)
}

export function evaluateJsonPath(path: readonly PathSegment[], root: unknown): unknown[] {
  let current: unknown[] = [root]
  for (const segment of path) {
    const next: unknown[] = []
    for (const value of current) {
      if (segment.kind === 'wildcard') {
        if (Array.isArray(value)) next.push(...(value as unknown[]))
        else if (isRecord(value)) next.push(...Object.values(value))
      } else if (segment.kind === 'index') {
        if (!Array.isArray(value)) continue
        const at = segment.index < 0 ? value.length + segment.index : segment.index
        if (at >= 0 && at < value.length) next.push(value[at] as unknown)
      } else if (isRecord(value) && Object.hasOwn(value, segment.key)) {
        next.push(value[segment.key])
      } else if (Array.isArray(value) && /^\d+$/.test(segment.key)) {
        const at = Number(segment.key)
        if (at < value.length) next.push(value[at] as unknown)
      }
    }
    current = next
  }
  return current
}

/** The text for a non-table format. */
export function serialize(format: Exclude<Format, { kind: 'table' }>, value: unknown): string {
  switch (format.kind) {
    case 'json':
      return `${JSON.stringify(value)}\n`
    case 'json-pretty':
      return `${JSON.stringify(value, null, 2)}\n`
    case 'yaml':
      return yaml().stringify(value)
    case 'jsonpath': {
      const found = evaluateJsonPath(format.path, value)
      const hasWildcard = format.path.some((s) => s.kind === 'wildcard')
      if (found.length === 0 && !hasWildcard) {
        throw new CliError(`jsonpath "${format.expr}" matched nothing`)
      }
      return `${found.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}\n`
    }
  }
}

// ---- tables ----

export interface Column<T> {
  header: string
  value: (item: T) => unknown
  /** In the one-item (KEY VALUE) table, leave the row out when the value is empty. */
  omitEmpty?: boolean
}

const GAP = 3

/** A table cell: lists joined with ", ", nothing for null, and always a single line. */
export function cell(value: unknown): string {
  let text: string
  if (value === undefined || value === null) text = ''
  else if (Array.isArray(value)) text = value.map(cell).join(', ')
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  return text.replace(/[\r\n\t]+/g, ' ')
}

/** Two columns, KEY padded so values line up. */
export function renderKeyValue(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length))
  return rows.map(([key, value]) => `${key.padEnd(width + GAP)}${value}`.trimEnd() + '\n').join('')
}

/** A header row and one row per item, each column as wide as its widest cell. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + GAP)))
      .join('')
      .trimEnd() + '\n'
  return [headers, ...rows].map(line).join('')
}

/** Prints one item: a KEY VALUE table, or the item itself in the other formats. */
export function printResult<T>(format: Format, value: T, columns: ReadonlyArray<Column<T>>): void {
  if (format.kind !== 'table') {
    io.stdout(serialize(format, value))
    return
  }
  const rows = columns
    .map((c) => [c.header, cell(c.value(value))] as const)
    .filter(([, text], i) => !(columns[i]?.omitEmpty && text === ''))
  io.stdout(renderKeyValue(rows))
}

/**
 * Prints several items. With `page`, the JSON formats wrap them as {items, next_page_token} and
 * the table is followed by a NEXT PAGE TOKEN line when there is a next page; without, a JSON array.
 */
export function printList<T>(
  format: Format,
  items: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  page?: { nextPageToken: string | undefined },
): void {
  if (format.kind !== 'table') {
    const value = page ? { items, next_page_token: page.nextPageToken ?? '' } : items
    io.stdout(serialize(format, value))
    return
  }
  const rows = items.map((item) => columns.map((c) => cell(c.value(item))))
  let text = renderTable(
    columns.map((c) => c.header),
    rows,
  )
  if (page?.nextPageToken) text += `\n${renderKeyValue([['NEXT PAGE TOKEN', page.nextPageToken]])}`
  io.stdout(text)
}

/** Plain values (e.g. deleted ids): one per line in a table, a JSON array otherwise. */
export function printValues(format: Format, values: readonly string[]): void {
  if (format.kind === 'table') io.stdout(values.map((v) => `${cell(v)}\n`).join(''))
  else io.stdout(serialize(format, values))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
