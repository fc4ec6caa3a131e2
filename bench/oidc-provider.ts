// The reference implementation: oidc-provider with one client_credentials client, the
// client credentials grant and introspection enabled, and its in-memory adapter.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { announce } from './child.js'

const clientId = 'bench-client'
const clientSecret = 'bench-client-secret-0123456789abcdef'

const provider = new Provider('http://127.0.0.1/', {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  features: {
    clientCredentials: { enabled: true },
    // The default policy logs a "should change" notice; any authenticated client may introspect here.
    introspection: { enabled: true, allowedPolicy: async () => true },
    devInteractions: { enabled: false },
  },
  // Fixed keys so no per-start warning or generation cost distorts the figures.
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
})

const server = createServer(provider.callback())
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  announce({ url: `http://127.0.0.1:${port}`, clientId, clientSecret })
})
