// multipart/form-data bodies at the OAuth 2.0 endpoints (as Hydra parses them): text fields work
// like urlencoded ones; files, nested multiparts and malformed or oversized bodies are refused
// with invalid_request, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boundaryOf, parseMultipart } from '../../src/http/multipart.js'
import { testApps, type TestApps } from '../support/app.js'
import { testDatabases } from '../support/databases.js'

const B = 'orthrus-test-boundary'
const TYPE = `multipart/form-data; boundary=${B}`

/** A well-formed body, one text part per [name, value]. */
function multipart(fields: Array<[string, string]>, boundary = B): string {
  return `${fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('')}--${boundary}--\r\n`
}

/** The body and content type the platform's own FormData encoder produces. */
async function encoded(fields: Record<string, string>): Promise<{ type: string; body: Buffer }> {
  const fd = new FormData()
  for (const [k, v] of Object.entries(fields)) fd.append(k, v)
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: fd })
  return { type: req.headers.get('content-type') ?? '', body: Buffer.from(await req.arrayBuffer()) }
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

describe('the multipart parser', () => {
  it('reads quoted names, escapes, empty values, UTF-8 and repeated fields', () => {
    const body = Buffer.from(
      'preamble to ignore\r\n' +
        `--${B}\r\ncontent-disposition: form-data; name="a\\"b"\r\nX-Other: ignored\r\n\r\nv1\r\n` +
        `--${B}  \r\nContent-Disposition: form-data; name=plain\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="plain"\r\n\r\nline1\r\nline2 ü\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n` +
        `--${B}--\r\nepilogue`,
    )
    const form = parseMultipart(body, `Multipart/Form-Data; charset=utf-8; boundary="${B}"`)
    expect(Object.getPrototypeOf(form)).toBeNull()
    expect(Object.entries(form)).toEqual([
      ['a"b', 'v1'],
      ['plain', ['', 'line1\r\nline2 ü']],
      ['__proto__', 'x'],
    ])
  })

  it('reads what FormData sends, and an empty form', async () => {
    const { type, body } = await encoded({ grant_type: 'client_credentials', scope: 'a b' })
    expect({ ...parseMultipart(body, type) }).toEqual({ grant_type: 'client_credentials', scope: 'a b' })
    expect({ ...parseMultipart(Buffer.from(`--${B}--`), TYPE) }).toEqual({})
  })

  it('takes the boundary only from a well-formed multipart/form-data content type', () => {
    expect(boundaryOf(`multipart/form-data; boundary="with space"`)).toBe('with space')
    const refused = [
      undefined,
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${'x'.repeat(71)}`,
      'multipart/form-data; boundary="trailing "',
      'multipart/form-data; boundary=a; boundary=b',
      'multipart/form-data; boundary="unterminated',
      'multipart/form-data; boundary=bad{char}',
      'multipart/form-data; boundary',
      'multipart/mixed; boundary=abc',
    ]
    for (const type of refused) expect(() => boundaryOf(type), String(type)).toThrow(/multipart/)
  })
})

for (const t of testDatabases()) {
  describe(`multipart/form-data at the OAuth 2.0 endpoints on ${t.name}`, () => {
    let env: TestApps
    let post: { id: string; secret: string }
    let basicClient: { id: string; secret: string }

    beforeAll(async () => {
      env = await testApps(t)
      const create = async (body: Record<string, unknown>) => {
        const res = await env.admin.inject({ method: 'POST', url: '/admin/clients', payload: { grant_types: ['client_credentials'], scope: 'read write', ...body } })
        expect(res.statusCode, res.body).toBe(201)
        return { id: res.json().client_id as string, secret: res.json().client_secret as string }
      }
      post = await create({ token_endpoint_auth_method: 'client_secret_post' })
      basicClient = await create({})
    })
    afterAll(async () => env.close())

    const send = (url: string, body: string | Buffer, headers: Record<string, string> = {}, app = env.public) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': TYPE, ...headers }, payload: body })

    const expectInvalidRequest = (res: { statusCode: number; body: string; json(): unknown }, status = 400) => {
      expect(res.statusCode, res.body).toBe(status)
      expect(res.json()).toMatchObject({ error: 'invalid_request', status_code: status })
    }

    it('issues a client_credentials token for client_secret_post fields', async () => {
      const res = await send(
        '/oauth2/token',
        multipart([
          ['grant_type', 'client_credentials'],
          ['client_id', post.id],
          ['client_secret', post.secret],
          ['scope', 'read'],
        ]),
      )
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ token_type: 'bearer', scope: 'read' })
      expect(res.headers['cache-control']).toBe('no-store')

      // Media type names are case-insensitive; the boundary may be quoted.
      const loud = await send('/oauth2/token', multipart([['grant_type', 'client_credentials'], ['client_id', post.id], ['client_secret', post.secret]]), {
        'content-type': `Multipart/Form-Data;boundary="${B}"`,
      })
      expect(loud.statusCode, loud.body).toBe(200)
    })

    it('takes Basic credentials with a FormData body, and introspects and revokes with multipart', async () => {
      const { type, body } = await encoded({ grant_type: 'client_credentials', scope: 'write' })
      const res = await send('/oauth2/token', body, { 'content-type': type, authorization: basic(basicClient.id, basicClient.secret) })
      expect(res.statusCode, res.body).toBe(200)
      const token = res.json().access_token as string

      const info = await send('/admin/oauth2/introspect', multipart([['token', token]]), {}, env.admin)
      expect(info.statusCode, info.body).toBe(200)
      expect(info.json()).toMatchObject({ active: true, client_id: basicClient.id, scope: 'write' })

      const revoked = await send('/oauth2/revoke', multipart([['token', token]]), { authorization: basic(basicClient.id, basicClient.secret) })
      expect(revoked.statusCode, revoked.body).toBe(200)
      const after = await send('/oauth2/introspect', multipart([['token', token]]), {}, env.admin)
      expect(after.json()).toEqual({ active: false })
    })

    it('refuses a repeated parameter, as for urlencoded forms', async () => {
      const res = await send(
        '/oauth2/token',
        multipart([
          ['grant_type', 'client_credentials'],
          ['scope', 'read'],
          ['scope', 'write'],
        ]),
        { authorization: basic(basicClient.id, basicClient.secret) },
      )
      expectInvalidRequest(res)
      expect(res.json().error_description).toContain('scope')
    })

    it('refuses a file part, even next to good fields', async () => {
      const fd = new FormData()
      fd.append('grant_type', 'client_credentials')
      fd.append('upload', new Blob(['file body'], { type: 'text/plain' }), 'notes.txt')
      const req = new Request('http://127.0.0.1/', { method: 'POST', body: fd })
      const res = await send('/oauth2/token', Buffer.from(await req.arrayBuffer()), {
        'content-type': req.headers.get('content-type') ?? '',
        authorization: basic(basicClient.id, basicClient.secret),
      })
      expectInvalidRequest(res)
      expect(res.json().error_description).toContain('file uploads are not accepted')
    })

    it('refuses malformed bodies with invalid_request', async () => {
      const auth = { authorization: basic(basicClient.id, basicClient.secret) }
      const good = multipart([['grant_type', 'client_credentials']])
      const cases: Array<[string, string | Buffer, Record<string, string>]> = [
        ['no boundary', good, { 'content-type': 'multipart/form-data' }],
        ['bad boundary', good, { 'content-type': 'multipart/form-data; boundary=a{b}' }],
        ['other boundary', good, { 'content-type': 'multipart/form-data; boundary=elsewhere' }],
        ['too long boundary', good, { 'content-type': `multipart/form-data; boundary=${'b'.repeat(71)}` }],
        ['no closing boundary', `--${B}\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n`, {}],
        ['ends in the headers', `--${B}\r\nContent-Disposition: form-data; name="grant_type"\r\n`, {}],
        ['no disposition', `--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`, {}],
        ['not form-data', `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--`, {}],
        ['no name', `--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${B}--`, {}],
        ['unterminated name', `--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--${B}--`, {}],
        ['nested multipart', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n--${B}--`, {}],
        ['binary part', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n--${B}--`, {}],
        ['encoded part', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--${B}--`, {}],
        ['folded header', `--${B}\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\nx\r\n--${B}--`, {}],
        ['junk after a boundary', `--${B}junk\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${B}--`, {}],
        ['junk after the close', `--${B}--junk`, {}],
        ['invalid UTF-8', Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`), Buffer.from([0xff, 0xfe]), Buffer.from(`\r\n--${B}--`)]), {}],
        ['huge part headers', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(9000)}\r\n\r\nx\r\n--${B}--`, {}],
      ]
      for (const [what, body, headers] of cases) {
        for (const url of ['/oauth2/token', '/oauth2/revoke']) {
          const res = await send(url, body, { ...auth, ...headers })
          expect(res.statusCode, `${what} at ${url}: ${res.body}`).toBe(400)
          expect(res.json(), what).toMatchObject({ error: 'invalid_request' })
        }
        const res = await send('/admin/oauth2/introspect', body, headers, env.admin)
        expect(res.statusCode, `${what} at introspect: ${res.body}`).toBe(400)
      }
    })

    it('answers every truncation of a good body with a 4xx, never a 500', async () => {
      const whole = Buffer.from(
        multipart([
          ['grant_type', 'client_credentials'],
          ['scope', 'read'],
        ]),
      )
      // Every prefix short of the closing boundary, and the close followed by a lone CR.
      for (const n of [...Array.from({ length: whole.length - 2 }, (_, i) => i), whole.length - 1]) {
        const res = await send('/oauth2/token', whole.subarray(0, n), { authorization: basic(basicClient.id, basicClient.secret) })
        expect(res.statusCode, `prefix ${n}: ${res.body}`).toBeGreaterThanOrEqual(400)
        expect(res.statusCode, `prefix ${n}: ${res.body}`).toBeLessThan(500)
        expect(res.json().error, `prefix ${n}`).toBe('invalid_request')
      }
      // The complete body works (the trailing CRLF after the close is optional).
      const ok = await send('/oauth2/token', whole.subarray(0, whole.length - 2), { authorization: basic(basicClient.id, basicClient.secret) })
      expect(ok.statusCode, ok.body).toBe(200)
    })

    it('refuses a body over 1 MiB and too many parts', async () => {
      const big = multipart([
        ['grant_type', 'client_credentials'],
        ['pad', 'x'.repeat(1024 * 1024)],
      ])
      expectInvalidRequest(await send('/oauth2/token', big), 413)
      const many = multipart(Array.from({ length: 1001 }, (_, i): [string, string] => [`f${i}`, '']))
      const res = await send('/oauth2/token', many, { authorization: basic(basicClient.id, basicClient.secret) })
      expectInvalidRequest(res)
      expect(res.json().error_description).toContain('more than 1000 parts')
    })
  })
}
