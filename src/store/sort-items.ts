import type { StoredItem } from '../types.js'

/** Newest published first; equal instants by id, so the order never depends on history. */
export function sortItemsNewestFirst(items: Iterable<StoredItem>): StoredItem[] {
  return Array.from(items, (item) => ({ item, publishedMs: Date.parse(item.published) }))
    .sort((a, b) => b.publishedMs - a.publishedMs || compareIds(a.item.id, b.item.id))
    .map(({ item }) => item)
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
