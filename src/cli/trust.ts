// `create|get|list|delete jwt-bearer-grant`: the admin API's trust relationships
// (/admin/trust/grants/jwt-bearer/issuers, RFC 7523 §2.1) from the shell.
import type { Command } from 'commander'
import { verb } from './clients.js'
import { addEndpointOption, adminRequest, asArray, asObject, parseNextPageToken } from './endpoint.js'
import { readJsonSources, scopeList } from './input.js'
import { addFormatOption, CliError, printList, printResult, runAction } from './output.js'
import type { Column } from './output.js'
import { commandContext as context, deleteEach, pageQuery, printOneOrMany } from './resource-commands.js'

type Opts = Record<string, unknown>
type TrustJson = Record<string, unknown>

const BASE = '/admin/trust/grants/jwt-bearer/issuers'
const itemPath = (id: string): string => `${BASE}/${encodeURIComponent(id)}`

function noun(parent: Command, primary: 'jwt-bearer-grant' | 'jwt-bearer-grants', description: string): Command {
  const other = primary === 'jwt-bearer-grant' ? 'jwt-bearer-grants' : 'jwt-bearer-grant'
  const cmd = parent.command(primary).alias(other).description(description)
  addEndpointOption(cmd, 'admin')
  addFormatOption(cmd)
  return cmd
}

const publicKey = (t: TrustJson): Record<string, unknown> => {
  const key = t['public_key']
  return typeof key === 'object' && key !== null ? (key as Record<string, unknown>) : {}
}

const COLUMNS: ReadonlyArray<Column<TrustJson>> = [
  { header: 'ID', value: (t) => t['id'] },
  { header: 'ISSUER', value: (t) => t['issuer'] },
  { header: 'SUBJECT', value: (t) => (t['allow_any_subject'] === true ? '*' : t['subject']) },
  { header: 'SCOPE', value: (t) => t['scope'] },
  { header: 'KEY SET', value: (t) => publicKey(t)['set'] },
  { header: 'KEY ID', value: (t) => publicKey(t)['kid'] },
  { header: 'EXPIRES AT', value: (t) => t['expires_at'] },
  { header: 'CREATED AT', value: (t) => t['created_at'] },
]

/** The key in the file: a JWK, or a JWK Set holding exactly one key. */
async function readJwk(file: string): Promise<Record<string, unknown>> {
  const [only] = await readJsonSources([file], 'expected a JSON Web Key')
  const parsed = only?.parsed
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`${file}: expected a JSON Web Key object`)
  }
  const keys = (parsed as Record<string, unknown>)['keys']
  if (keys === undefined) return parsed as Record<string, unknown>
  if (!Array.isArray(keys) || keys.length !== 1 || typeof keys[0] !== 'object' || keys[0] === null) {
    throw new CliError(`${file}: a JSON Web Key Set must hold exactly one key to trust`)
  }
  return keys[0] as Record<string, unknown>
}

function rfc3339(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CliError(`--expires-at must be an RFC 3339 date-time such as 2030-01-02T15:04:05Z, got "${value}"`)
  }
  return value
}

export function registerTrustCommands(program: Command): void {
  noun(verb(program, 'create', 'Create resources'), 'jwt-bearer-grant', 'Trust an issuer to sign jwt-bearer grant assertions (RFC 7523)')
    .requiredOption('--issuer <issuer>', 'the issuer of the assertions (their "iss" claim)')
    .option('--subject <subject>', 'the one subject the issuer may assert (their "sub" claim)')
    .option('--allow-any-subject', 'the issuer may assert any subject')
    .option('--scope <scopes>', 'scope(s) the issuer may grant, repeatable or comma-separated', scopeList)
    .requiredOption('--jwk <file>', "JSON file with the issuer's public JSON Web Key ('-' reads stdin)")
    .requiredOption('--expires-at <time>', 'when the trust ends, RFC 3339 (e.g. 2030-01-02T15:04:05Z)')
    .action(
      runAction(async (opts: Opts) => {
        const { endpoint, format } = context(opts)
        const subject = typeof opts['subject'] === 'string' ? opts['subject'] : undefined
        const any = opts['allowAnySubject'] === true
        if (subject === undefined && !any) throw new CliError('pass --subject <subject> or --allow-any-subject')
        if (subject !== undefined && any) throw new CliError('--subject and --allow-any-subject exclude each other')
        const body = {
          issuer: opts['issuer'],
          ...(subject !== undefined ? { subject } : {}),
          allow_any_subject: any,
          scope: Array.isArray(opts['scope']) ? opts['scope'] : [],
          jwk: await readJwk(String(opts['jwk'])),
          expires_at: rfc3339(String(opts['expiresAt'])),
        }
        const res = await adminRequest(endpoint, 'POST', BASE, body)
        printResult(format, asObject(res.body, 'the trust relationship'), COLUMNS)
      }),
    )

  noun(verb(program, 'get', 'Get resources'), 'jwt-bearer-grant', 'Show one or more trust relationships')
    .argument('<id...>', 'trust relationship id(s)')
    .action(
      runAction(async (ids: string[], opts: Opts) => {
        const { endpoint, format } = context(opts)
        const items: TrustJson[] = []
        for (const id of ids) items.push(asObject((await adminRequest(endpoint, 'GET', itemPath(id))).body, 'the trust relationship'))
        printOneOrMany(format, items, COLUMNS)
      }),
    )

  noun(verb(program, 'list', 'List resources'), 'jwt-bearer-grants', 'List trust relationships, one page at a time')
    .option('--issuer <issuer>', 'only the relationships of this issuer')
    .option('--page-size <n>', 'relationships per page (1-1000)', '100')
    .option('--page-token <token>', 'page to show, from a previous NEXT PAGE TOKEN')
    .action(
      runAction(async (opts: Opts) => {
        const { endpoint, format } = context(opts)
        const query = pageQuery(opts, { issuer: opts['issuer'] })
        const res = await adminRequest(endpoint, 'GET', `${BASE}?${query.toString()}`)
        const items = asArray(res.body, 'the trust relationship list').map((t) => asObject(t, 'each trust relationship'))
        printList(format, items, COLUMNS, { nextPageToken: parseNextPageToken(res.headers.get('link')) })
      }),
    )

  noun(verb(program, 'delete', 'Delete resources'), 'jwt-bearer-grant', 'Delete one or more trust relationships')
    .argument('<id...>', 'trust relationship id(s)')
    .action(
      runAction(async (ids: string[], opts: Opts) => {
        await deleteEach(context(opts), ids, itemPath, 'trust relationship')
      }),
    )
}
