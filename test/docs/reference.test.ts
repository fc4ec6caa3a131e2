// The generated references under docs/ must be what the generators write today: a change to the
// configuration schema or to the commands without `npm run docs` fails here.
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli/program.js'
import { cliReference } from '../../scripts/docs/cli-reference.js'
import { configReference } from '../../scripts/docs/config-reference.js'
import { DESCRIPTIONS, describeKey } from '../../scripts/docs/config-descriptions.js'
import { CONFIG_KEYS } from '../../src/config/schema.js'

describe('generated references (npm run docs rewrites them)', () => {
  it('docs/configuration.md is generated from src/config/schema.ts', async () => {
    await expect(configReference()).toMatchFileSnapshot('../../docs/configuration.md')
  })

  it('docs/cli.md is generated from the commands', async () => {
    await expect(cliReference(await buildProgram())).toMatchFileSnapshot('../../docs/cli.md')
  })

  it('describes no key the schema does not have', () => {
    const paths = CONFIG_KEYS.map((k) => k.path)
    for (const described of Object.keys(DESCRIPTIONS)) {
      const pattern = new RegExp(`^${described.replace(/\./g, '\\.').replace('*', '(public|admin)')}$`)
      expect(paths.some((p) => pattern.test(p)), described).toBe(true)
    }
    expect(paths.filter((p) => describeKey(p) === undefined)).toEqual([])
  })
})
