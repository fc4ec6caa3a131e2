// `create|get|delete|import jwk`: the admin API's JSON Web Key endpoints from the shell, in
// Hydra 2's syntax (`hydra create jwk <set-id> [<key-id>] --alg RS256 --use sig`).
import { randomUUID } from 'node:crypto'
import { Option } from 'commander'
import type { Command } from 'commander'
import { GENERATE_ALGS, IMPORT_ALGS, KEY_USES, publicJwk, type Jwk } from '../jwk/model.js'
import { verb } from './clients.js'
import { addEndpointOption, adminRequest, asObject } from './endpoint.js'
import { readJsonSources } from './input.js'
import { addFormatOption, CliError, cell, io, renderTable, runAction, serialize } from './output.js'
import type { Format } from './output.js'
import { commandContext, deleteEach, type CommandContext } from './resource-commands.js'

type Opts = Record<string, unknown>
type KeyJson = Record<string, unknown>

interface KeyRow {
  set: string
  key: KeyJson
}

const COLUMNS: ReadonlyArray<{ header: string; value: (r: KeyRow) => unknown }> = [
  { header: 'SET ID', value: (r) => r.set },
  { header: 'KEY ID', value: (r) => r.key['kid'] },
  { header: 'ALGORITHM', value: (r) => r.key['alg'] },
  { header: 'USE', value: (r) => r.key['use'] },
]

function noun(parent: Command, description: string): Command {
  const cmd = parent.command('jwk').alias('jwks').description(description)
  addEndpointOption(cmd, 'admin')
  addFormatOption(cmd)
  return cmd
}

const addPublicOption = (cmd: Command): Command =>
  cmd.option('--public', 'show only the public halves of the keys (symmetric keys are left out)')

function context(opts: Opts): CommandContext & { onlyPublic: boolean } {
  return { ...commandContext(opts), onlyPublic: opts['public'] === true }
}

const setPath = (set: string): string => `/admin/keys/${encodeURIComponent(set)}`

/** The keys of a JWK Set response, as rows of the given set. */
function rowsOf(set: string, body: unknown, onlyPublic: boolean): KeyRow[] {
  const keys = asObject(body, 'a JSON Web Key Set')['keys']
  if (!Array.isArray(keys)) throw new CliError('unexpected response: expected a JSON Web Key Set with a "keys" array')
  const rows: KeyRow[] = []
  for (const k of keys) {
    const key = asObject(k, 'each JSON Web Key')
    const shown = onlyPublic ? publicJwk(key as unknown as Jwk) : key
    if (shown) rows.push({ set, key: shown as KeyJson })
  }
  return rows
}

/** A table of SET ID / KEY ID / ALGORITHM / USE, or the keys as one JWK Set in the other formats. */
function printKeys(format: Format, rows: readonly KeyRow[]): void {
  if (format.kind !== 'table') {
    io.stdout(serialize(format, { keys: rows.map((r) => r.key) }))
    return
  }
  io.stdout(renderTable(COLUMNS.map((c) => c.header), rows.map((r) => COLUMNS.map((c) => cell(c.value(r))))))
}

export function registerKeyCommands(program: Command): void {
  const create = noun(verb(program, 'create', 'Create resources'), 'Generate a JSON Web Key and add it to a set (creating the set)')
    .argument('<set-id>', 'the JSON Web Key Set to add the key to')
    .argument('[key-id]', 'the key id (kid); random when omitted')
    .addOption(new Option('--alg <alg>', 'algorithm of the key').choices(GENERATE_ALGS).default('RS256'))
    .addOption(new Option('--use <use>', 'intended use of the key').choices(KEY_USES).default('sig'))
    .option('--kid <kid>', 'the key id (kid), like the [key-id] argument')
  addPublicOption(create).action(
    runAction(async (set: string, keyId: string | undefined, opts: Opts) => {
      const ctx = context(opts)
      const flagKid = typeof opts['kid'] === 'string' ? opts['kid'] : undefined
      if (keyId !== undefined && flagKid !== undefined && keyId !== flagKid) {
        throw new CliError(`two different key ids: "${keyId}" and --kid "${flagKid}"`)
      }
      const kid = keyId ?? flagKid
      const body = { alg: opts['alg'], use: opts['use'], ...(kid !== undefined ? { kid } : {}) }
      const res = await adminRequest(ctx.endpoint, 'POST', setPath(set), body)
      printKeys(ctx.format, rowsOf(set, res.body, ctx.onlyPublic))
    }),
  )

  const get = noun(verb(program, 'get', 'Get resources'), 'Show the keys of one or more JSON Web Key Sets').argument(
    '<set-id...>',
    'JSON Web Key Set id(s)',
  )
  addPublicOption(get).action(
    runAction(async (sets: string[], opts: Opts) => {
      const ctx = context(opts)
      const rows: KeyRow[] = []
      for (const set of sets) rows.push(...rowsOf(set, (await adminRequest(ctx.endpoint, 'GET', setPath(set))).body, ctx.onlyPublic))
      printKeys(ctx.format, rows)
    }),
  )

  noun(verb(program, 'delete', 'Delete resources'), 'Delete one or more JSON Web Key Sets with all their keys')
    .argument('<set-id...>', 'JSON Web Key Set id(s)')
    .action(
      runAction(async (sets: string[], opts: Opts) => {
        await deleteEach(commandContext(opts), sets, setPath, 'JSON Web Key Set')
      }),
    )

  const imp = noun(verb(program, 'import', 'Import resources'), 'Add JSON Web Keys from files (a JWK or a JWK Set each) to a set')
    .argument('<set-id>', 'the JSON Web Key Set to add the keys to')
    .argument('<file...>', 'JSON file(s) with a JWK or a JWK Set; "-" reads stdin')
    .addOption(new Option('--use <use>', 'use of keys that have none').choices(KEY_USES).default('sig'))
    .addOption(new Option('--alg <alg>', 'algorithm of keys that have none').choices(IMPORT_ALGS))
    .option('--default-key-id <kid>', 'key id of the key that has none (random ids otherwise)')
  addPublicOption(imp).action(
    runAction(async (set: string, files: string[], opts: Opts) => {
      const ctx = context(opts)
      const keys = fillDefaults(await readKeyFiles(files), opts)
      const rows: KeyRow[] = []
      let failures = 0
      for (const { label, key } of keys) {
        try {
          const path = `${setPath(set)}/${encodeURIComponent(String(key['kid']))}`
          const res = await adminRequest(ctx.endpoint, 'PUT', path, key)
          rows.push(...rowsOf(set, { keys: [res.body] }, ctx.onlyPublic))
        } catch (err) {
          if (!(err instanceof CliError)) throw err
          failures++
          io.stderr(`Error: could not import ${label}: ${err.message}\n`)
        }
      }
      printKeys(ctx.format, rows)
      if (failures > 0) throw new CliError(`${failures} key(s) not imported`, { reported: true })
    }),
  )
}

interface ImportItem {
  label: string
  key: KeyJson
}

/** Reads and checks every file before anything is sent, so a typo imports nothing. */
async function readKeyFiles(files: readonly string[]): Promise<ImportItem[]> {
  const items: ImportItem[] = []
  for (const { source, parsed } of await readJsonSources(files)) {
    const doc = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as KeyJson) : undefined
    const list = Array.isArray(doc?.['keys']) ? (doc['keys'] as unknown[]) : doc && 'kty' in doc ? [doc] : undefined
    if (!list) throw new CliError(`${source} is neither a JSON Web Key (with "kty") nor a JSON Web Key Set (with "keys")`)
    list.forEach((entry, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new CliError(`${source}: key ${i + 1} is not a JSON object`)
      }
      items.push({ label: `key ${i + 1} of ${source}`, key: { ...(entry as KeyJson) } })
    })
  }
  if (items.length === 0) throw new CliError('nothing to import: no keys in the input')
  return items
}

/** --use, --alg and --default-key-id fill in what a key lacks; they never override the file. */
function fillDefaults(items: ImportItem[], opts: Opts): ImportItem[] {
  const defaultKid = typeof opts['defaultKeyId'] === 'string' ? opts['defaultKeyId'] : undefined
  const missing = items.filter((i) => typeof i.key['kid'] !== 'string' || i.key['kid'] === '')
  if (defaultKid !== undefined && missing.length > 1) {
    throw new CliError(`--default-key-id can name only one key, but ${missing.length} keys have no "kid"`)
  }
  for (const { key } of items) {
    if (typeof key['kid'] !== 'string' || key['kid'] === '') key['kid'] = defaultKid ?? randomUUID()
    if (key['use'] === undefined) key['use'] = opts['use']
    if (key['alg'] === undefined && typeof opts['alg'] === 'string') key['alg'] = opts['alg']
  }
  return items
}
