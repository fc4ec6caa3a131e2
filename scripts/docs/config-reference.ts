// docs/configuration.md from src/config/schema.ts: every key the loader accepts, with its
// environment variable, kind, default and allowed values, so the reference cannot drift.
import { CONFIG_KEYS, IGNORED_HYDRA_KEYS, envNameOf, type KeySpec } from '../../src/config/schema.js'
import { describeKey } from './config-descriptions.js'

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
const code = (text: string): string => `\`${text}\``

function kind(spec: KeySpec): string {
  const range = spec.min !== undefined || spec.max !== undefined ? ` (${spec.min ?? ''}–${spec.max ?? ''})` : ''
  switch (spec.kind) {
    case 'enum':
      return `one of ${(spec.values ?? []).map(code).join(', ')}`
    case 'enum[]':
      return `list of ${(spec.values ?? []).map(code).join(', ')}`
    case 'string[]':
      return spec.minItemLength ? `list of strings (${spec.minItemLength}+ characters each)` : 'list of strings'
    case 'duration':
      return 'duration'
    case 'duration-or-minus-one':
      return 'duration or `-1`'
    case 'uri-reference':
      return 'URL or path'
    case 'url':
      return 'URL'
    case 'string-or-object':
      return 'URL or object'
    case 'integer-or-auto':
      return `integer${range} or \`auto\``
    default:
      return `${spec.kind}${range}`
  }
}

function defaultOf(spec: KeySpec): string {
  const value = spec.default
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.length === 0 ? '(empty list)' : value.map((v) => code(String(v))).join(', ')
  if (value === '') return '(empty)'
  return code(String(value))
}

export function configReference(): string {
  const sections = new Map<string, KeySpec[]>()
  for (const spec of CONFIG_KEYS) {
    const top = spec.path.split('.')[0] ?? spec.path
    sections.set(top, [...(sections.get(top) ?? []), spec])
  }
  const tables = [...sections].map(([name, specs]) => {
    const rows = specs.map((spec) => {
      const secret = spec.redact === 'secret' ? ' Never logged or echoed.' : ''
      return `| ${code(spec.path)} | ${code(envNameOf(spec.path))} | ${cell(kind(spec))} | ${cell(defaultOf(spec))} | ${cell((describeKey(spec.path) ?? '') + secret)} |`
    })
    return [`## ${name}`, '', '| Key | Environment variable | Kind | Default | Meaning |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n')
  })
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`; edit the schema (or scripts/docs/config-descriptions.ts), not this file. -->',
    '',
    "Orthrus reads Hydra's configuration keys from a YAML or JSON file (`orthrus serve all -c orthrus.yaml`)",
    'and from environment variables; an environment variable wins over the file. A variable names the key',
    'path joined by `_` in upper case (`urls.self.issuer` is `URLS_SELF_ISSUER`). Lists are YAML lists in a',
    'file and comma-separated in a variable. Durations use Hydra\'s form (`1h`, `30m`, `1h5m1s`). An invalid',
    'value stops the server with one line naming the key, the value (never a secret) and what is allowed.',
    '',
    'Outside `--dev`, `dsn`, `secrets.system` and an https `urls.self.issuer` are required. The [configuration guide](configuration-guide.md) explains the keys that need more than a line here.',
    '',
    ...tables,
    '## Hydra keys accepted and ignored',
    '',
    'A configuration written for Hydra may carry these; Orthrus does not implement them and says so with a',
    'warning instead of refusing to start:',
    '',
    IGNORED_HYDRA_KEYS.map(code).join(', '),
    '',
  ].join('\n')
}
