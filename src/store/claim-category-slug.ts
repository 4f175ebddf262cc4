import { createHash } from 'node:crypto'

/** Hex digits of sha1(name) appended to a slug another media name already holds. */
const SUFFIX_HEX_DIGITS = 6

/**
 * The category slug for media `name` whose pinyin slug is `slug`, recorded in `registry`
 * (slug → name). The first name to claim a slug keeps it; a different name with the same pinyin
 * (朱/珠/猪 → zhu) gets `<slug>-<first 6 hex of sha1(name)>`, which depends on the name alone,
 * so the outcome is the same on every run once the registry is saved.
 */
export function claimCategorySlug(registry: Map<string, string>, slug: string, name: string): string {
  const hash = createHash('sha1').update(name).digest('hex')
  // A longer suffix only in the ~1 in 16M case where two names share the first six digits.
  for (let digits = 0; digits <= hash.length; digits += digits === 0 ? SUFFIX_HEX_DIGITS : 1) {
    const candidate = digits === 0 ? slug : `${slug}-${hash.slice(0, digits)}`
    const owner = registry.get(candidate)
    if (owner === undefined) registry.set(candidate, name)
    if (owner === undefined || owner === name) return candidate
  }
  return `${slug}-${hash}`
}
