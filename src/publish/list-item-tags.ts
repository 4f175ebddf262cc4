import type { StoredItem } from '../types.js'

/** What the seed appends to an outlet's name to make its tag and its "back to" link: 每日经济新闻 → 每日经济新闻新闻. */
const MEDIA_TAG_SUFFIX = '新闻'

/** The outlet an item is filed under: its media name, else its category's title. */
export function mediaNameOf(item: StoredItem, categoryTitle: string): string {
  return item.media?.trim() || categoryTitle
}

/**
 * Tags every output gives an item (Jekyll `tags`, feed categories): the outlet's name + 新闻, as
 * the seed tags its posts, then the item's own categories; trimmed, without repeats, in that order.
 */
export function listItemTags(item: StoredItem, categoryTitle: string): string[] {
  return uniqueNonEmpty([`${mediaNameOf(item, categoryTitle)}${MEDIA_TAG_SUFFIX}`, ...item.categories])
}

export function uniqueNonEmpty(values: readonly string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))]
}
