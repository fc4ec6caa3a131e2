// A second server on the same port should say so first, not after its warnings, migrations and
// key generation: each listener's port is tried before anything else starts. (A process that
// takes the port in between still fails at listen, with the same cause.)
import { createServer } from 'node:net'
import type { Config } from '../config/types.js'
import type { ServeMode } from '../server.js'

type Listener = 'public' | 'admin'

export async function checkPortsFree(serve: Config['serve'], mode: ServeMode): Promise<void> {
  const listeners: Listener[] = mode === 'all' ? ['public', 'admin'] : [mode]
  for (const name of listeners) {
    const { host, port } = serve[name]
    // Port 0 picks a free port; a Unix socket has no port.
    if (port === 0 || host.startsWith('unix:')) continue
    const problem = await tryListen(host === '' ? '0.0.0.0' : host, port)
    if (problem === 'EADDRINUSE') {
      throw new Error(
        `serve.${name}.port: port ${port} on ${host || '0.0.0.0'} is already in use (another Orthrus or Hydra running?): stop it, or choose another port with SERVE_${name.toUpperCase()}_PORT`,
      )
    }
    if (problem === 'EACCES') {
      throw new Error(`serve.${name}.port: no permission to listen on port ${port}: choose a port above 1023 with SERVE_${name.toUpperCase()}_PORT`)
    }
  }
}

/** The error code of listening on host:port, or undefined when it works (the probe is closed again). */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'unknown'))
    // exclusive: a cluster worker must not share the port, the probe tests the port itself.
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)))
  })
}
