/**
 * A copy of `value` without its `undefined` fields: absent rather than `undefined`, so a later
 * spread or merge cannot blank a field, and equal objects serialize to equal bytes.
 */
export function dropUndefined<T extends object>(value: T): T {
  const kept: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) if (field !== undefined) kept[key] = field
  return kept as T
}
