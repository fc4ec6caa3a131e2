// What Fastify's ajv enforces of a route's request schemas (route-table.ts), and how a refusal
// reads. The documented schemas are Hydra's; the enforced ones check what Hydra's own decoding
// checks, so the same request is refused or accepted as Hydra does:
//  - JSON bodies: the types and structure Go's encoding/json checks while decoding into Hydra's
//    structs. `null` is accepted anywhere (Go decodes it into the zero value), unknown members are
//    kept (Hydra's client decoder ignores them; the flow bodies refuse them in their handlers,
//    with Hydra's wording), and `required`, formats, patterns and ranges stay with the handlers,
//    whose checks after decoding carry Hydra's messages. An absent body is the handler's too.
//    Where Hydra reads the body only after other checks (the bearer token of /credentials, the
//    client a PATCH changes), the route defers the refusal to its handler (route-table `deferred`).
//  - Forms (RFC 6749 Appendix B, urlencoded or multipart): any parameter may appear, and a repeated
//    one arrives as an array (http/form.ts) for the OAuth 2.0 core to refuse with its own message,
//    so each field is a string or an array of strings. A body that is not a form reaches the
//    handler as nothing, which then says which content type it wants.
//  - Query strings: the same, as Go's url.Values; no coercion: the handlers read page_size and
//    the like from the text, with Hydra's messages.
// `required` of a form or query string is enforced unless the route lists the member in
// `checkedByHandler` (an alias such as `challenge`, or wording of Hydra's that differs).
import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import { OAuthError, invalidRequest } from '../oauth2/errors.js'
import type { Schema } from './schemas/json-schema.js'

/** Fastify's ajv options: nothing coerced, removed or filled in behind the handler's back. */
export const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  allowUnionTypes: true,
  // A refusal may echo the value it refuses, as the handlers do ("alg" = "x" is not supported);
  // ajv adds it to the error only when validation fails.
  verbose: true,
} as const

const TEXT: Schema = { type: ['string', 'array'], items: { type: 'string' } }

const decodable = new WeakMap<object, Schema>()

/** The part of a documented JSON schema that Go's decoder checks: types, members, items. */
export function decodableJson(schema: Schema): Schema {
  const done = decodable.get(schema)
  if (done) return done
  const out: Schema = {}
  decodable.set(schema, out)
  const type = schema.type
  if (typeof type === 'string' || Array.isArray(type)) out.type = [...new Set([...(Array.isArray(type) ? type : [type]), 'null'])]
  const props = schema.properties as Record<string, Schema> | undefined
  if (props) out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, decodableJson(v)]))
  if (schema.items && typeof schema.items === 'object') out.items = decodableJson(schema.items as Schema)
  const extra = schema.additionalProperties
  if (extra && typeof extra === 'object') out.additionalProperties = decodableJson(extra as Schema)
  return out
}

function textFields(schema: Schema, checkedByHandler: readonly string[], nullable: boolean): Schema {
  const props = (schema.properties ?? {}) as Record<string, Schema>
  const required = ((schema.required ?? []) as string[]).filter((name) => !checkedByHandler.includes(name))
  return {
    type: nullable ? ['object', 'null'] : 'object',
    properties: Object.fromEntries(Object.keys(props).map((name) => [name, TEXT])),
    ...(required.length > 0 ? { required } : {}),
  }
}

/** A form body: named text fields, each once or repeated; nothing when the body was not a form. */
export const formFields = (schema: Schema, checkedByHandler: readonly string[] = []): Schema => textFields(schema, checkedByHandler, true)

/** A query string: named text parameters, each once or repeated. */
export const queryFields = (schema: Schema, checkedByHandler: readonly string[] = []): Schema => textFields(schema, checkedByHandler, false)

/** Path parameters: the documented schema as it is (the router always gives text). */
export const pathFields = (schema: Schema): Schema => schema

// ----- refusals ---------------------------------------------------------------------------------

export type Where = 'body' | 'querystring' | 'params' | 'headers'

/** What ajv found wrong with a JSON body, for a route that words its refusals member by member. */
export interface BodyProblem {
  /** The member as the generic reason names it (`jwks.keys[0].kty`); '' for the body itself. */
  name: string
  /** The member's path in the body, segment by segment (`['keys', '0', 'kty']`), as ajv found it. */
  at: readonly string[]
  /** What is wrong, as the generic reason words it ("must be a string"). */
  wrong: string
  /** The value refused (undefined for a missing member). */
  value: unknown
}

/**
 * How a route words a JSON body that does not decode: `reason` is the generic wording
 * (`field "x" must be a string`), for routes whose handlers word it in Hydra's envelope; `problem`
 * is the same, taken apart, for routes whose handlers have their own sentence per member.
 */
export type BodyRefusal = (reason: string, problem: BodyProblem) => OAuthError

/**
 * Hydra's client handlers (create, replace, dynamic registration, lifespans): herodot's
 * ErrBadRequest with "Unable to decode the request body: %s", which Hydra's error writer renders
 * with herodot's sentence as `error`.
 */
export const clientBodyRefusal: BodyRefusal = (reason) =>
  new OAuthError('The request was malformed or contained invalid parameters', '', 400, `Unable to decode the request body: ${reason}.`)

/** Hydra's login, consent and device handlers: invalid_request "Unable to decode body because: %s". */
export const flowBodyRefusal: BodyRefusal = (reason) => invalidRequest(`Unable to decode body because: ${reason}.`)

const WHAT: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'a JSON object',
  array: 'an array',
}

const typesOf = (t: unknown): string[] => (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string' && x !== 'null')

function describeType(types: string[], schema: Schema | undefined): string {
  const [only] = types
  if (types.length !== 1 || only === undefined) return types.map((t) => WHAT[t] ?? t).join(' or ')
  if (only === 'array') {
    const item = typesOf((schema?.items as Schema | undefined)?.type)
    if (item.length === 1 && item[0] !== 'object' && item[0] !== 'array') return `an array of ${item[0]}s`
  }
  return WHAT[only] ?? only
}

/** The schema at a JSON pointer into the data (properties and items only). */
function schemaAt(root: Schema, segments: readonly string[]): Schema | undefined {
  let at: Schema | undefined = root
  for (const seg of segments) {
    if (!at) return undefined
    const props = at.properties as Record<string, Schema> | undefined
    if (props && Object.hasOwn(props, seg)) at = props[seg]
    else if (/^\d+$/.test(seg) && at.items) at = at.items as Schema
    else if (at.additionalProperties && typeof at.additionalProperties === 'object') at = at.additionalProperties as Schema
    else return undefined
  }
  return at
}

const unescape = (seg: string) => seg.replaceAll('~1', '/').replaceAll('~0', '~')

/** `jwks.keys[0].kty` for /jwks/keys/0/kty. */
const memberName = (segments: readonly string[]): string =>
  segments.reduce((name, seg) => (/^\d+$/.test(seg) ? `${name}[${seg}]` : name === '' ? seg : `${name}.${seg}`), '')

/**
 * The one problem ajv reports (allErrors is off), as `[member path, what is wrong]`. A wrong item
 * of an array of simple values is reported on the array ("must be an array of strings"), as the
 * handlers word it.
 */
function problem(error: FastifySchemaValidationError, root: Schema): { path: string[]; wrong: string } {
  const path = error.instancePath.split('/').slice(1).map(unescape)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], wrong: 'is missing' }
    case 'type': {
      const last = path[path.length - 1]
      const parent = schemaAt(root, path.slice(0, -1))
      if (last !== undefined && /^\d+$/.test(last) && parent && typesOf(parent.type).includes('array')) {
        const item = typesOf((parent.items as Schema | undefined)?.type)
        if (item.length === 1 && item[0] !== 'object' && item[0] !== 'array') return { path: path.slice(0, -1), wrong: `must be ${describeType(['array'], parent)}` }
      }
      return { path, wrong: `must be ${describeType(typesOf(params.type), schemaAt(root, path))}` }
    }
    case 'minLength':
      return { path, wrong: Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` }
    case 'maxLength':
      return { path, wrong: `must be at most ${String(params.limit)} characters long` }
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], wrong: 'is not allowed' }
    default:
      return { path, wrong: error.message ?? 'is invalid' }
  }
}

export interface RefusalContext {
  media?: 'json' | 'form'
  /** The enforced schema of each part, to name what was wrong. */
  schemas: Partial<Record<Where, Schema>>
  /** How the route words a JSON body that does not decode; forms and the rest are invalid_request. */
  json?: BodyRefusal
}

/**
 * Fastify's schemaErrorFormatter for one route: the refusal as an OAuthError, which the one
 * error renderer (errors.ts) answers with, 400 in the route's shape.
 */
export function refusal(ctx: RefusalContext) {
  return (errors: FastifySchemaValidationError[], where: string): Error => {
    const first = errors[0]
    const root = ctx.schemas[where as Where] ?? {}
    if (!first) return invalidRequest(`The request ${where} is invalid.`)
    const { path, wrong } = problem(first, root)
    const name = memberName(path)
    if (where === 'body' && ctx.json) {
      const at = first.instancePath.split('/').slice(1).map(unescape)
      const value = first.keyword === 'required' ? undefined : (first as { data?: unknown }).data
      return ctx.json(name === '' ? `the body ${wrong}` : `field "${name}" ${wrong}`, { name, at, wrong, value })
    }
    switch (where) {
      case 'querystring':
        return invalidRequest(wrong === 'is missing' ? `Query parameter '${name}' is not defined but should have been.` : `Query parameter '${name}' ${wrong}.`)
      case 'params':
        return invalidRequest(`Path parameter '${name}' ${wrong}.`)
      case 'body':
        if (name === '') return invalidRequest(`The request body ${wrong}.`)
        if (ctx.media === 'json') return invalidRequest(`The request body member '${name}' ${wrong}.`)
        return invalidRequest(wrong === 'is missing' ? `The request parameter '${name}' is missing.` : `The request parameter '${name}' ${wrong}.`)
      default:
        return invalidRequest(`The request header '${name}' ${wrong}.`)
    }
  }
}
