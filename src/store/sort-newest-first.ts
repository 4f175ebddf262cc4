/**
 * Newest `published` first; equal instants by id, so the order (and the bytes written from it) is
 * the same on every run whatever order the items came in.
 */
export function sortNewestFirst<T extends { id: string; published: string }>(items: readonly T[]): T[] {
  return items
    .map((item) => ({ item, ms: Date.parse(item.published) }))
    .sort((a, b) => b.ms - a.ms || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0))
    .map(({ item }) => item)
}
