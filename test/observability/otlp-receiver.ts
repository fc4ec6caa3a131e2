// A tiny OTLP/HTTP receiver on 127.0.0.1: keeps every POSTed JSON body, answers 200.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OtlpAttribute {
  key: string
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
}

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: OtlpAttribute[]
}

export interface ReceivedSpan extends OtlpSpan {
  serviceName: string | undefined
  resource: OtlpAttribute[]
}

interface TracesBody {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] }
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>
  }>
}

export class OtlpReceiver {
  readonly posts: Array<{ path: string; contentType: string; authorization: string | undefined; body: string }> = []
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        this.posts.push({
          path: req.url ?? '',
          contentType: String(req.headers['content-type']),
          authorization: req.headers.authorization,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Every span of every POST to /v1/traces. */
  spans(): ReceivedSpan[] {
    const out: ReceivedSpan[] = []
    for (const post of this.posts) {
      if (post.path !== '/v1/traces') continue
      const body = JSON.parse(post.body) as TracesBody
      for (const rs of body.resourceSpans ?? []) {
        const resource = rs.resource?.attributes ?? []
        const serviceName = resource.find((a) => a.key === 'service.name')?.value.stringValue
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ ...span, serviceName, resource })
      }
    }
    return out
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

export const attr = (span: OtlpSpan, key: string): string | number | boolean | undefined => {
  const v = span.attributes.find((a) => a.key === key)?.value
  if (!v) return undefined
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue
}
