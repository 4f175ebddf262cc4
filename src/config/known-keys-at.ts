import type { z } from 'zod'

/** What this file reads of a zod 4 schema's definition. */
interface SchemaDef {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  element?: z.ZodType
  valueType?: z.ZodType
  options?: z.ZodType[]
}

/**
 * The keys the schema allows in the object at `path` of `data`, for "did you mean" on an unknown
 * key. Of a union of objects (the source types), the member whose literal fields match the data.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  let node: z.ZodType | undefined = schema
  let value = data
  for (const part of path) {
    node = unwrap(node, value)
    if (node === undefined) return []
    const def = defOf(node)
    if (def.type === 'object') node = def.shape?.[String(part)]
    else if (def.type === 'array') node = def.element
    else if (def.type === 'record') node = def.valueType
    else return []
    value = isObject(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[part] : undefined
  }
  node = unwrap(node, value)
  return node === undefined ? [] : Object.keys(defOf(node).shape ?? {})
}

function unwrap(node: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let current = node
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const def = defOf(current)
    if (def.innerType !== undefined) current = def.innerType
    else if (def.type === 'union') current = def.options?.find((option) => matchesLiterals(option, value)) ?? def.options?.[0]
    else return current
  }
  return current
}

/** True when every literal field of the object schema has that value in `value`. */
function matchesLiterals(option: z.ZodType, value: unknown): boolean {
  if (!isObject(value)) return false
  return Object.entries(defOf(option).shape ?? {}).every(([key, field]) => {
    const def = defOf(field) as SchemaDef & { values?: unknown[] }
    return def.type !== 'literal' || (def.values ?? []).includes(value[key])
  })
}

function defOf(node: z.ZodType): SchemaDef {
  return (node as unknown as { _zod: { def: SchemaDef } })._zod.def
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
