// Typed reads of an untrusted JSON body. Absent and null are the same thing, as when Hydra
// decodes JSON into Go zero values.
import { invalidClientMetadata } from '../oauth2/errors.js'

export type Body = Record<string, unknown>

export const MAX_STRING_LENGTH = 1024
export const MAX_ARRAY_ITEMS = 100

/** A short, printable rendering of a value for error hints. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number'
  return `a ${typeof value}`
}

export function asBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidClientMetadata(`The request body must be a JSON object, got ${jsonType(body)}.`)
  }
  return body as Body
}

export function raw(body: Body, field: string): unknown {
  return Object.hasOwn(body, field) ? body[field] : undefined
}

const wrongType = (field: string, expected: string, value: unknown) =>
  invalidClientMetadata(`Field ${field} must be ${expected}, got ${jsonType(value)}.`)

function checkLength(field: string, value: string): string {
  if (value.length > MAX_STRING_LENGTH) {
    throw invalidClientMetadata(`Field ${field} must not be longer than ${MAX_STRING_LENGTH} characters.`)
  }
  return value
}

export function readString(body: Body, field: string): string {
  const v = raw(body, field)
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw wrongType(field, 'a string', v)
  return checkLength(field, v)
}

export function readStrings(body: Body, field: string): string[] {
  const v = raw(body, field)
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw wrongType(field, 'an array of strings', v)
  if (v.length > MAX_ARRAY_ITEMS) {
    throw invalidClientMetadata(`Field ${field} must not have more than ${MAX_ARRAY_ITEMS} entries, got ${v.length}.`)
  }
  return v.map((item: unknown) => {
    if (typeof item !== 'string') throw wrongType(field, 'an array of strings', item)
    return checkLength(field, item)
  })
}

export function readBoolean(body: Body, field: string): boolean {
  const v = raw(body, field)
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw wrongType(field, 'a boolean', v)
  return v
}

export function readInteger(body: Body, field: string): number {
  const v = raw(body, field)
  if (v === undefined || v === null) return 0
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(field, 'an integer', v)
  return v
}

/** Throws unless `value` is one of `allowed`, listing them in the hint. */
export function checkOneOf(field: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    const list = allowed.map((a) => JSON.stringify(a)).join(', ')
    throw invalidClientMetadata(`Field ${field} has the unsupported value ${show(value)}; allowed are: ${list}.`)
  }
}
