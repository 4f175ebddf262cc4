import type { Config } from '../config/config-schema.js'
import type { StoredItem } from '../types.js'

/** Source id → the category the config gives that source, for the sources that have one. */
export function listSourceCategories(config: Config): Map<string, string> {
  return new Map(config.sources.flatMap((source) => (source.category === undefined ? [] : [[source.id, source.category] as const])))
}

/**
 * The categories an item is published in: its own first, then the configured category of every
 * source that carried it, each once.
 */
export function listItemMembership(item: Pick<StoredItem, 'category' | 'sources'>, sourceCategories: ReadonlyMap<string, string>): string[] {
  const categories = new Set([item.category])
  for (const source of item.sources) {
    const category = sourceCategories.get(source)
    if (category !== undefined) categories.add(category)
  }
  return [...categories]
}
