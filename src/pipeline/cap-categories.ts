import { CAPS } from '../caps.js'
import type { NormalizedEntry } from '../types.js'

/**
 * At most CAPS.maxCategoriesPerAnswer categories made from media names in one answer: each is a
 * directory of feeds, so a source naming a new outlet in every entry would otherwise multiply the
 * files of every cycle. Entries of the outlets past the cap go to the source's own category (its
 * id), as entries without a media name do; the reason says so.
 */
export function capCategories(
  entries: readonly NormalizedEntry[],
  sourceId: string,
): { entries: NormalizedEntry[]; reasons: string[] } {
  const kept = new Set<string>()
  const refused = new Set<string>()
  const capped = entries.map((entry) => {
    if (entry.categoryTitle === undefined || kept.has(entry.category)) return entry
    if (kept.size < CAPS.maxCategoriesPerAnswer) {
      kept.add(entry.category)
      return entry
    }
    refused.add(entry.category)
    const { categoryTitle: _title, ...rest } = entry
    return { ...rest, category: sourceId }
  })
  if (refused.size === 0) return { entries: capped, reasons: [] }
  const reason = `entries named ${kept.size + refused.size} media outlets; ${CAPS.maxCategoriesPerAnswer} became categories, the other ${refused.size} went to category ${sourceId}`
  return { entries: capped, reasons: [reason] }
}
