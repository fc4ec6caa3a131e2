// multipart/form-data bodies (RFC 7578 over RFC 2046 §5.1) for the OAuth 2.0 endpoints, which
// accept them as Hydra does. Text fields only: a file part, a nested multipart or anything
// malformed is refused with invalid_request. The whole body is already in memory and bounded by
// the route's body limit; the parser itself bounds part count and header size.
//
// Hand-written rather than @fastify/multipart or busboy: busboy drops the parts after a boundary
// line with RFC 2046 §5.1.1 transport padding (valid input), silently skips malformed parts (no
// Content-Disposition, not form-data, no name, folded headers, text after a boundary or the close)
// instead of refusing them, decodes invalid UTF-8 into replacement characters, and does not apply
// its header-size limit to a part's header block; each of those is an invalid_request here.
import { invalidRequest, type OAuthError } from '../oauth2/errors.js'

export const MULTIPART = 'multipart/form-data'

/** More parts than this is not a form anyone means to send. */
export const MAX_PARTS = 1000
/** The header block of one part. */
export const MAX_PART_HEADER_BYTES = 8 * 1024

const malformed = (why: string): OAuthError =>
  invalidRequest(`Unable to parse the multipart/form-data body: ${why}.`)

const CRLF = Buffer.from('\r\n')
const HEADER_END = Buffer.from('\r\n\r\n')

// RFC 7230 §3.2.6 token characters.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// RFC 2046 §5.1.1: 1 to 70 characters of bchars, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/

interface HeaderValue {
  /** The lower-cased value before the first `;` (media type or disposition type). */
  value: string
  /** Parameters by lower-cased name; a repeated parameter is refused. */
  params: Map<string, string>
}

/**
 * Parses `type; name=value; name="quoted \"value\""` (RFC 7231 §3.1.1.1, RFC 6266 §4.1).
 * Throws with `what` naming the header in the message.
 */
export function parseHeaderValue(raw: string, what: string): HeaderValue {
  const semi = raw.indexOf(';')
  const value = (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase()
  const params = new Map<string, string>()
  if (value === '') throw malformed(`the ${what} header is empty`)
  let i = semi < 0 ? raw.length : semi
  const skipSpace = () => {
    while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t')) i++
  }
  while (i < raw.length) {
    // At a ';'.
    i++
    skipSpace()
    if (i >= raw.length) break // a trailing ';' is tolerated
    const eq = raw.indexOf('=', i)
    if (eq < 0) throw malformed(`a parameter of the ${what} header has no value`)
    const name = raw.slice(i, eq).trim().toLowerCase()
    if (!TOKEN.test(name)) throw malformed(`the ${what} header has an invalid parameter name`)
    i = eq + 1
    skipSpace()
    let val = ''
    if (raw[i] === '"') {
      i++
      let closed = false
      while (i < raw.length) {
        const c = raw[i] as string
        if (c === '\\') {
          if (i + 1 >= raw.length) break
          val += raw[i + 1]
          i += 2
        } else if (c === '"') {
          i++
          closed = true
          break
        } else {
          val += c
          i++
        }
      }
      if (!closed) throw malformed(`the ${what} header has an unterminated quoted string`)
    } else {
      const start = i
      while (i < raw.length && raw[i] !== ';') i++
      val = raw.slice(start, i).trim()
      if (!TOKEN.test(val)) throw malformed(`the ${what} header has an invalid parameter value`)
    }
    skipSpace()
    if (i < raw.length && raw[i] !== ';') throw malformed(`the ${what} header has text after a parameter`)
    if (params.has(name)) throw malformed(`the ${what} header repeats the parameter "${name}"`)
    params.set(name, val)
  }
  return { value, params }
}

/** The boundary named by a multipart/form-data Content-Type header. */
export function boundaryOf(contentType: string | undefined): string {
  const { value, params } = parseHeaderValue(contentType ?? '', 'Content-Type')
  if (value !== MULTIPART) throw malformed('the content type is not multipart/form-data')
  const boundary = params.get('boundary')
  if (boundary === undefined) throw malformed('the Content-Type header has no boundary')
  if (!BOUNDARY.test(boundary)) throw malformed('the boundary is not 1 to 70 allowed characters')
  return boundary
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function text(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw malformed(`${what} is not valid UTF-8`)
  }
}

/** Reads one part's header block into its field name; refuses files and other surprises. */
function fieldName(block: Buffer): string {
  if (block.length > MAX_PART_HEADER_BYTES) throw malformed('the headers of a part are too large')
  let disposition: HeaderValue | undefined
  const lines = block.length === 0 ? [] : text(block, 'a part header').split('\r\n')
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) throw malformed('folded part headers are not accepted')
    const colon = line.indexOf(':')
    const name = colon < 0 ? '' : line.slice(0, colon)
    if (!TOKEN.test(name)) throw malformed('a part header is malformed')
    const value = line.slice(colon + 1).trim()
    switch (name.toLowerCase()) {
      case 'content-disposition':
        if (disposition !== undefined) throw malformed('a part has more than one Content-Disposition header')
        disposition = parseHeaderValue(value, 'Content-Disposition')
        break
      case 'content-type': {
        const type = parseHeaderValue(value, 'Content-Type').value
        if (type.startsWith('multipart/')) throw malformed('nested multipart bodies are not accepted')
        // RFC 7578 §4.4: a text field is text/plain (the default).
        if (type !== 'text/plain') throw malformed('only text fields are accepted')
        break
      }
      case 'content-transfer-encoding': {
        // RFC 7578 §4.7: senders must not use it; only the identity encodings are understood.
        const cte = value.toLowerCase()
        if (cte !== '7bit' && cte !== '8bit' && cte !== 'binary') throw malformed('content transfer encodings are not accepted')
        break
      }
      default:
        // RFC 7578 §4.8: other part headers are ignored.
        break
    }
  }
  if (disposition === undefined) throw malformed('a part has no Content-Disposition header')
  if (disposition.value !== 'form-data') throw malformed('a part is not form-data')
  if (disposition.params.has('filename') || disposition.params.has('filename*')) {
    throw malformed('file uploads are not accepted')
  }
  const field = disposition.params.get('name')
  if (field === undefined || field === '') throw malformed('a part has no field name')
  return field
}

/**
 * The fields of a multipart/form-data body. As with urlencoded forms, a repeated field becomes an
 * array so the core can refuse it (RFC 6749 §3.2). A preamble and an epilogue are ignored.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): Record<string, string | string[]> {
  const boundary = boundaryOf(contentType)
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1')
  const delimiter = Buffer.concat([CRLF, dashBoundary])
  // No prototype: a field named __proto__ or constructor is just a field.
  const out = Object.create(null) as Record<string, string | string[]>

  let pos: number
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) pos = dashBoundary.length
  else {
    const first = body.indexOf(delimiter)
    if (first < 0) throw malformed('the boundary does not occur in the body')
    pos = first + delimiter.length
  }

  for (let parts = 0; ; parts++) {
    // After a delimiter: `--` closes the body; otherwise padding and CRLF open a part.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) {
      pos += 2
      while (body[pos] === 0x20 || body[pos] === 0x09) pos++
      if (pos < body.length && !(body[pos] === 0x0d && body[pos + 1] === 0x0a)) {
        throw malformed('the closing boundary is followed by unexpected bytes')
      }
      return out
    }
    if (parts >= MAX_PARTS) throw malformed(`the body has more than ${MAX_PARTS} parts`)
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++
    if (!(body[pos] === 0x0d && body[pos + 1] === 0x0a)) {
      throw malformed(pos >= body.length ? 'the body ends before its closing boundary' : 'a boundary line is malformed')
    }
    pos += 2

    let contentStart: number
    let headers: Buffer
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      headers = Buffer.alloc(0)
      contentStart = pos + 2
    } else {
      const end = body.indexOf(HEADER_END, pos)
      if (end < 0 || end - pos > MAX_PART_HEADER_BYTES) {
        throw malformed(end < 0 ? 'the body ends inside the headers of a part' : 'the headers of a part are too large')
      }
      headers = body.subarray(pos, end)
      contentStart = end + HEADER_END.length
    }
    const name = fieldName(headers)
    const next = body.indexOf(delimiter, contentStart)
    if (next < 0) throw malformed('the body ends before its closing boundary')
    const value = text(body.subarray(contentStart, next), 'a field value')
    const seen = out[name]
    if (seen === undefined) out[name] = value
    else if (typeof seen === 'string') out[name] = [seen, value]
    else seen.push(value)
    pos = next + delimiter.length
  }
}
