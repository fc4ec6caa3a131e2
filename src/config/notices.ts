// The one-line start-up notices for Hydra keys that have no effect in Orthrus (IGNORED_HYDRA_KEYS
// in schema.ts): each says why, so an operator who relies on one is never left guessing.
import { ConfigError } from './types.js'

// Hydra's schema: "SemVer according to https://semver.org/ prefixed with `v`".
const VERSION_PATTERN =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

/** The configuration schema major version Orthrus follows. */
export const SUPPORTED_SCHEMA_MAJOR = 2

const WHY: Readonly<Record<string, string>> = {
  'sqa.opt_out': 'Orthrus sends no usage telemetry anywhere, so there is nothing to opt out of',
  'cgroups.v1.auto_max_procs_enabled':
    "it sizes Go's GOMAXPROCS to the container's CPU quota; Node.js runs one event loop per process (its thread pool is sized by UV_THREADPOOL_SIZE)",
}

/** A Hydra feature Orthrus does not implement; the key is accepted so a Hydra configuration still loads. */
const NOT_YET = 'Orthrus does not implement it yet'

/** The notice for an ignored key; throws ConfigError for a `version` Hydra would reject too. */
export function ignoredKeyNotice(path: string, value: unknown, from?: string): string {
  const suffix = from ? ` (from ${from})` : ''
  if (path === 'version') return versionNotice(value, suffix)
  return `configuration key ${path} has no effect in Orthrus: ${WHY[path] ?? NOT_YET}${suffix}`
}

/** A key under a section whose schema allows any key (sqa, feature_flags). */
export function openSectionNotice(path: string, from?: string): string {
  return `configuration key ${path} is not a setting Orthrus knows: accepted (its section allows any key) with no effect${from ? ` (from ${from})` : ''}`
}

function versionNotice(value: unknown, suffix: string): string {
  const m = typeof value === 'string' ? VERSION_PATTERN.exec(value) : null
  if (!m) {
    const shown = JSON.stringify(value) ?? String(value)
    throw new ConfigError(`invalid configuration: version = ${shown} is not a version such as v2.3.0 (Hydra's schema: SemVer prefixed with v)${suffix}`)
  }
  if (Number(m[1]) !== SUPPORTED_SCHEMA_MAJOR) {
    return `configuration key version = ${String(value)}: this configuration was written for Hydra ${String(value)}, Orthrus reads Hydra ${SUPPORTED_SCHEMA_MAJOR}.x's configuration keys: check it against that schema${suffix}`
  }
  return `configuration key version = ${String(value)} only records which Hydra the file was written for; Orthrus reads Hydra ${SUPPORTED_SCHEMA_MAJOR}.x's keys${suffix}`
}
