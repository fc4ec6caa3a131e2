// TLS on a listener (serve.public.tls / serve.admin.tls, each falling back to serve.tls per
// source, as resolved by src/config/derive.ts). The certificate chain and the private key are PEM,
// given as a file path or as base64 of the PEM text. Anything wrong stops start-up with one line
// naming the key; the key material itself never appears in a message.
//
// Deliberate difference: Hydra generates a self-signed certificate when TLS is enabled without
// one. Orthrus refuses to start instead: a certificate nobody can verify is a configuration error.
import { readFileSync } from 'node:fs'
import { createServer, type Server as HttpsServer } from 'node:https'
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import type { TlsConfig } from '../config/types.js'

export interface TlsMaterial {
  cert: Buffer
  key: Buffer
}

export class TlsSetupError extends Error {
  override name = 'TlsSetupError'
}

function read(listener: string, what: 'cert' | 'key', source: TlsConfig['cert']): Buffer {
  const key = `serve.${listener}.tls.${what}`
  if (source?.path !== undefined) {
    try {
      return readFileSync(source.path)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable'
      throw new TlsSetupError(`TLS is enabled for the ${listener} listener but ${key}.path ${JSON.stringify(source.path)} cannot be read (${code})`)
    }
  }
  if (source?.base64 !== undefined) {
    const text = Buffer.from(source.base64, 'base64')
    if (!text.toString('latin1').includes('-----BEGIN')) {
      throw new TlsSetupError(`TLS is enabled for the ${listener} listener but ${key}.base64 is not base64 of a PEM document`)
    }
    return text
  }
  throw new TlsSetupError(
    `TLS is enabled for the ${listener} listener but no ${what === 'cert' ? 'certificate' : 'private key'} is set: set ${key}.path or ${key}.base64 (or serve.tls.${what}.*)`,
  )
}

/** The listener's certificate and key, checked; undefined when TLS is off for it. */
export function loadTls(listener: 'public' | 'admin', tls: TlsConfig): TlsMaterial | undefined {
  if (!tls.enabled) return undefined
  const cert = read(listener, 'cert', tls.cert)
  const key = read(listener, 'key', tls.key)
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(cert)
  } catch {
    throw new TlsSetupError(`TLS is enabled for the ${listener} listener but serve.${listener}.tls.cert is not a PEM X.509 certificate`)
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch {
    throw new TlsSetupError(`TLS is enabled for the ${listener} listener but serve.${listener}.tls.key is not a PEM private key`)
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsSetupError(`TLS is enabled for the ${listener} listener but serve.${listener}.tls.key does not belong to the certificate in serve.${listener}.tls.cert`)
  }
  return { cert, key }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Fastify's serverFactory for an HTTPS listener. Typed as an http.Server for Fastify's default
 * generics: the https server offers the same surface Fastify uses (listen, close, address,
 * closeIdleConnections, keep-alive timeouts).
 */
export function httpsServerFactory(material: TlsMaterial): (handler: Handler) => HttpServer {
  return (handler) => {
    const server: HttpsServer = createServer({ cert: material.cert, key: material.key, minVersion: 'TLSv1.2' }, handler)
    return server as unknown as HttpServer
  }
}
