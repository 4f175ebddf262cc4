import type { FailedOutput, PublishRecord, SourceState, StoredItem } from '../types.js'
import { sortNewestFirst } from './sort-newest-first.js'
import { isPlainObject, type StoreData } from './store-schema.js'

/** A store's data held for lookups. */
export interface StoreContents {
  items: Map<string, StoredItem>
  /** Every key and alias → the id of the item that lists it; derived from the items, never stored. */
  aliases: Map<string, string>
  tombstones: Map<string, string>
  sources: Map<string, SourceState>
  categorySlugs: Map<string, string>
  publish: PublishRecord
}

/** The single file's data, canonicalized, with the alias map and the slug registry derived from the items. */
export function readStoreContents(data: StoreData): StoreContents {
  const itemsNewestFirst = sortNewestFirst(data.items.map(toCanonicalItem))
  const items = new Map(itemsNewestFirst.map((item) => [item.id, item]))
  const sources = new Map(Object.entries(data.sources).map(([id, state]) => [id, toCanonicalSourceState(state)]))
  const categorySlugs = registerStoredCategories(new Map(Object.entries(data.categorySlugs ?? {})), items.values())
  return {
    items,
    aliases: deriveAliases(itemsNewestFirst),
    tombstones: new Map(Object.entries(data.tombstones)),
    sources,
    categorySlugs,
    publish: toCanonicalPublishRecord(data.publish ?? {}),
  }
}

/**
 * Upsert gives an identity only to an item that finds none of its identities taken, and pruning
 * frees them, so live items never share one; were a hand-edited file to, the first item listed
 * keeps it.
 */
function deriveAliases(items: readonly StoredItem[]): Map<string, string> {
  const aliases = new Map<string, string>()
  for (const item of items) {
    for (const alias of item.aliases) {
      if (!aliases.has(alias)) aliases.set(alias, item.id)
    }
  }
  return aliases
}

/**
 * A store written before the slug registry existed already has media categories: their slugs are
 * claimed by the names they show, oldest item first, so the registry agrees with what was published.
 * Only items whose slug is not registered yet can claim one, so only those are sorted.
 */
function registerStoredCategories(registry: Map<string, string>, items: Iterable<StoredItem>): Map<string, string> {
  const unregistered: StoredItem[] = []
  for (const item of items) {
    if (item.categoryTitle !== undefined && !registry.has(item.category)) unregistered.push(item)
  }
  const oldestFirst = unregistered.sort((a, b) => compareKeys(a.firstSeen, b.firstSeen) || compareKeys(a.id, b.id))
  for (const item of oldestFirst) {
    if (!registry.has(item.category)) registry.set(item.category, item.categoryTitle as string)
  }
  return registry
}

/** Fields in a fixed order, content last so the file stays readable. Unknown fields are dropped. */
export function toCanonicalItem(item: StoredItem): StoredItem {
  // `satisfies` makes the compiler reject this literal when StoredItem gains a field not listed here.
  return {
    id: item.id,
    key: item.key,
    title: item.title,
    link: item.link,
    published: item.published,
    updated: item.updated,
    firstSeen: item.firstSeen,
    category: item.category,
    categoryTitle: item.categoryTitle,
    categories: item.categories,
    sources: item.sources,
    aliases: item.aliases,
    infoCode: item.infoCode,
    media: item.media,
    shareLink: item.shareLink,
    author: item.author,
    enclosures: item.enclosures,
    contentHash: item.contentHash,
    summary: item.summary,
    content: item.content,
  } satisfies Record<keyof StoredItem, unknown>
}

/**
 * Fields in a fixed order, lists sorted without duplicates (one failed output per file, the last
 * given), empty lists dropped: equal records serialize alike. An empty `jekyllPosts` is kept:
 * "feedloom owns no post" differs from a store that never recorded its posts, whose post files
 * are judged one by one.
 */
export function toCanonicalPublishRecord(record: PublishRecord): PublishRecord {
  const sorted = (list: readonly string[] | undefined): string[] | undefined =>
    list === undefined || list.length === 0 ? undefined : [...new Set(list)].sort(compareKeys)
  const jekyllPosts = record.jekyllPosts?.length === 0 ? [] : sorted(record.jekyllPosts)
  const byFile = new Map((record.failedOutputs ?? []).map(({ file, reason, since }): [string, FailedOutput] => [file, { file, reason, since }]))
  const failedOutputs = [...byFile.values()].sort((a, b) => compareKeys(a.file, b.file))
  return { ...(jekyllPosts ? { jekyllPosts } : {}), ...(failedOutputs.length > 0 ? { failedOutputs } : {}) }
}

/** A deep copy with keys sorted at every level: the caller's key order is not data. */
export function toCanonicalSourceState(state: SourceState): SourceState {
  return sortKeysDeep(state) as SourceState
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep)
  if (!isPlainObject(value)) return value
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, entry]) => [key, sortKeysDeep(entry)]),
  )
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
