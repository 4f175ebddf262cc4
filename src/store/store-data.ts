import { StoreError } from '../errors.js'
import type { SourceState, StoredItem } from '../types.js'

export const STORE_VERSION = 1

/** The store file as JSON. Every map is keyed by a plain string; no field is derived. */
export interface StoreData {
  version: typeof STORE_VERSION
  /** Newest first (published desc, then id). */
  items: StoredItem[]
  /** Every key and alias an item is known by → that item's id. */
  aliases: Record<string, string>
  /** Key or alias of a pruned item → ISO instant it was pruned. */
  tombstones: Record<string, string>
  sources: Record<string, SourceState>
  /**
   * Category slug made from a media name → that name, so two names with the same pinyin keep
   * distinct slugs across runs (claim-category-slug.ts). Absent while empty, so stores without
   * media categories keep their bytes.
   */
  categorySlugs?: Record<string, string>
}

/** The same data held for lookups while the store is open. */
export interface StoreContents {
  items: Map<string, StoredItem>
  aliases: Map<string, string>
  tombstones: Map<string, string>
  sources: Map<string, SourceState>
  categorySlugs: Map<string, string>
}

export function createEmptyStoreData(): StoreData {
  return { version: STORE_VERSION, items: [], aliases: {}, tombstones: {}, sources: {} }
}

/** Canonicalizes what it reads, so a file with other key orders is rewritten once in ours. */
export function toStoreContents(data: StoreData): StoreContents {
  const items = new Map(data.items.map((item) => [item.id, toCanonicalItem(item)]))
  return {
    items,
    aliases: new Map(Object.entries(data.aliases)),
    tombstones: new Map(Object.entries(data.tombstones)),
    sources: new Map(Object.entries(data.sources).map(([id, state]) => [id, toCanonicalSourceState(state)])),
    categorySlugs: registerStoredCategories(new Map(Object.entries(data.categorySlugs ?? {})), items.values()),
  }
}

/**
 * A store written before the slug registry existed already has media categories: their slugs are
 * claimed by the names they show, oldest item first, so the registry agrees with what was published.
 */
function registerStoredCategories(registry: Map<string, string>, items: Iterable<StoredItem>): Map<string, string> {
  const oldestFirst = [...items].sort((a, b) => compareKeys(a.firstSeen, b.firstSeen) || compareKeys(a.id, b.id))
  for (const item of oldestFirst) {
    if (item.categoryTitle !== undefined && !registry.has(item.category)) registry.set(item.category, item.categoryTitle)
  }
  return registry
}

export function toStoreData(contents: StoreContents, sortedItems: readonly StoredItem[]): StoreData {
  return {
    version: STORE_VERSION,
    items: [...sortedItems],
    aliases: toSortedRecord(contents.aliases),
    tombstones: toSortedRecord(contents.tombstones),
    sources: toSortedRecord(contents.sources),
    ...(contents.categorySlugs.size === 0 ? {} : { categorySlugs: toSortedRecord(contents.categorySlugs) }),
  }
}

/**
 * Key order is part of the bytes: equal data must serialize identically, or a no-change cycle
 * would rewrite the file. Items, source states and maps are therefore kept canonical as they
 * are built, which is much cheaper at 100k items than sorting keys inside JSON.stringify.
 */
export function serializeStoreData(data: StoreData): string {
  return `${JSON.stringify(data, null, 2)}\n`
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
    summary: item.summary,
    content: item.content,
  } satisfies Record<keyof StoredItem, unknown>
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

function toSortedRecord<T>(map: Map<string, T>): Record<string, T> {
  return Object.fromEntries([...map].sort(([a], [b]) => compareKeys(a, b)))
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** @throws StoreError E_STORE_CORRUPT (not JSON, not our shape) or E_STORE_VERSION (written by a newer feedloom). */
export function parseStoreData(text: string, path: string): StoreData {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not valid JSON; it was left untouched`, { cause })
  }
  if (isPlainObject(value) && typeof value.version === 'number' && value.version > STORE_VERSION) {
    throw new StoreError(
      'E_STORE_VERSION',
      `store ${path} has version ${value.version}; this feedloom reads version ${STORE_VERSION}`,
    )
  }
  const problem = findStoreDataProblem(value)
  if (problem !== undefined) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not a feedloom store: ${problem}; it was left untouched`)
  }
  return value as StoreData
}

function findStoreDataProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'top level is not an object'
  if (value.version !== STORE_VERSION) return `version is ${JSON.stringify(value.version)}`
  if (!Array.isArray(value.items)) return 'items is not an array'
  const itemProblem = findItemsProblem(value.items)
  if (itemProblem !== undefined) return itemProblem
  for (const name of ['aliases', 'tombstones'] as const) {
    if (!isStringRecord(value[name])) return `${name} is not an object of strings`
  }
  if (value.categorySlugs !== undefined && !isStringRecord(value.categorySlugs)) {
    return 'categorySlugs is not an object of strings'
  }
  if (!isPlainObject(value.sources)) return 'sources is not an object'
  for (const [id, state] of Object.entries(value.sources)) {
    if (!isSourceState(state)) return `sources[${JSON.stringify(id)}] is not a source state`
  }
  return undefined
}

function findItemsProblem(items: unknown[]): string | undefined {
  const ids = new Set<string>()
  for (const [index, item] of items.entries()) {
    if (!isStoredItem(item)) return `items[${index}] is not an item`
    if (ids.has(item.id)) return `items[${index}].id ${item.id} is a duplicate`
    ids.add(item.id)
  }
  return undefined
}

const ITEM_STRING_FIELDS = ['id', 'key', 'title', 'link', 'published', 'firstSeen', 'category'] as const
const ITEM_LIST_FIELDS = ['aliases', 'sources', 'categories'] as const

function isStoredItem(value: unknown): value is StoredItem {
  return (
    isPlainObject(value) &&
    ITEM_STRING_FIELDS.every((field) => typeof value[field] === 'string') &&
    ITEM_LIST_FIELDS.every((field) => isStringArray(value[field])) &&
    !Number.isNaN(Date.parse(value.published as string))
  )
}

function isSourceState(value: unknown): value is SourceState {
  return (
    isPlainObject(value) && typeof value.consecutiveFailures === 'number' && typeof value.itemsSeen === 'number'
  )
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isPlainObject(value) && Object.values(value).every((entry) => typeof entry === 'string')
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
