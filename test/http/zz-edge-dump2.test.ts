import { test } from 'vitest'
import { testApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'
test('dump', async () => {
  const apps = await testApps(testDatabases()[0]!, { OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true' })
  for (const app of [apps.public, apps.admin]) {
    const d = (await app.inject({ url: '/.well-known/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId: string }>> }
    for (const [p, ops] of Object.entries(d.paths)) for (const [m, o] of Object.entries(ops)) if (!o.operationId.endsWith('Unprefixed')) console.log(m, p, o.operationId)
  }
  await apps.close()
})
