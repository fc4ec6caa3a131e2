import type { Migration, MigrationProvider } from 'kysely'
import type { Dialect } from '../dsn.js'
import { networks } from './0001_networks.js'
import { clients } from './0002_clients.js'

// Append only: a migration that has shipped is never edited, a change is a new step.
const STEPS: Array<[string, (d: Dialect) => Migration]> = [
  ['0001_networks', networks],
  ['0002_clients', clients],
]

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(STEPS.map(([name, make]) => [name, make(dialect)]))
    },
  }
}
