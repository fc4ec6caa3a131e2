// JSON schemas as plain objects, shared by Fastify (ajv validates requests, fast-json-stringify
// serialises answers) and the OpenAPI document. A named schema is one object: openapi.ts finds it
// again by identity and writes a $ref to components/schemas/<name>.
import { HYDRA_COMPONENTS } from './hydra.js'

export type Schema = Record<string, unknown>

const names = new Map<object, string>()

/** Registers `schema` under `name` for the OpenAPI document; returns it. */
export function named<T extends Schema>(name: string, schema: T): T {
  names.set(schema, name)
  return schema
}

/** The component name of a schema object, when it was registered with named(). */
export const nameOf = (schema: object): string | undefined => names.get(schema)

type HydraName = keyof typeof HYDRA_COMPONENTS
const resolved = new Map<string, Schema>()

/**
 * Hydra's component schema `name` with every `$ref` replaced by the referenced (shared) object.
 * Each component is built once, so a schema used in several places stays one named object.
 */
export function hydra(name: HydraName): Schema {
  const done = resolved.get(name)
  if (done) return done
  const target: Schema = {}
  resolved.set(name, target)
  Object.assign(target, resolve(HYDRA_COMPONENTS[name] as unknown))
  return named(name, target)
}

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve)
  if (value === null || typeof value !== 'object') return value
  const ref = (value as { $ref?: unknown }).$ref
  if (typeof ref === 'string') return hydra(ref.replace('#/components/schemas/', '') as HydraName)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]))
}

/** `base` with more properties: what Orthrus answers beyond Hydra's schema, added, never renamed. */
export function extend(name: string, base: Schema, properties: Record<string, Schema>, more: Schema = {}): Schema {
  return named(name, { ...base, ...more, properties: { ...(base.properties as Record<string, Schema>), ...properties } })
}

/**
 * `base` with its properties in `order` first (the rest after, as they were): fast-json-stringify
 * writes members in schema order, and Hydra's answers keep its struct's field order. `required` is
 * left out: fast-json-stringify writes required members before all others.
 */
export function ordered(name: string, base: Schema, order: readonly string[], more: Record<string, Schema> = {}): Schema {
  const props = { ...(base.properties as Record<string, Schema>), ...more }
  const sorted = Object.fromEntries([...order.filter((k) => k in props).map((k) => [k, props[k]]), ...Object.entries(props).filter(([k]) => !order.includes(k))])
  const { required: _required, ...rest } = base
  return named(name, { ...rest, properties: sorted })
}

export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) })
export const strs = (description?: string): Schema => ({ type: 'array', items: { type: 'string' }, ...(description ? { description } : {}) })
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) })
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) })
export const obj = (properties: Record<string, Schema>, more: Schema = {}): Schema => ({ type: 'object', properties, ...more })
/** Any JSON object, every member kept (claims, metadata, context). */
export const anyObject = (description?: string): Schema => ({ type: 'object', additionalProperties: true, ...(description ? { description } : {}) })
export const arrayOf = (items: Schema): Schema => ({ type: 'array', items })
