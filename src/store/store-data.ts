import { StoreError } from '../errors.js'
import type { FailedOutput, PublishRecord, SourceState, StoredItem } from '../types.js'
import { findDuplicateKey } from './find-duplicate-key.js'
import { type RetentionSummary, summarizeRetention } from './retention-summary.js'
import { findSchemaProblem, formatStorePath, STORE_VERSION, storeDataSchema, storeHeadSchema } from './store-schema.js'

/**
 * The store file as JSON. Every map is keyed by a plain string. The head (version, sources,
 * retention) comes first, so a cycle that needs no item reads only that (store-file.ts).
 */
export interface StoreData {
  version: typeof STORE_VERSION
  sources: Record<string, SourceState>
  /** Derived from items and tombstones; absent in files written before it existed. */
  retention?: RetentionSummary
  /** Absent while empty, so stores that never needed it keep their bytes. */
  publish?: PublishRecord
  /** Newest first (published desc, then id). Each item lists every key and alias it is known by. */
  items: StoredItem[]
  /** Key or alias of a pruned item → ISO instant it was pruned. */
  tombstones: Record<string, string>
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
  /** Every key and alias → the id of the item that lists it; derived from the items, never stored. */
  aliases: Map<string, string>
  tombstones: Map<string, string>
  sources: Map<string, SourceState>
  categorySlugs: Map<string, string>
  publish: PublishRecord
}

/** The part of the file before the items: all a cycle needs while no source brings anything new. */
export interface StoreHead {
  sources: Map<string, SourceState>
  retention: RetentionSummary
  publish: PublishRecord
}

export function createEmptyStoreData(): StoreData {
  return { version: STORE_VERSION, sources: {}, retention: { largestCategory: 0 }, items: [], tombstones: {} }
}

export interface ReadStoreContents {
  contents: StoreContents
  /**
   * True only when toStoreData(contents, sortedItems) is provably the same data, in the same key
   * order, as `data`: nothing was canonicalized, sorted or registered on the way in. False on any doubt.
   */
  isCanonical: boolean
  /** The items newest first, when `data.items` already was in that order (else undefined). */
  sortedItems: StoredItem[] | undefined
}

/** The top-level keys in the order toStoreData writes them; the optional ones only when not empty. */
function canonicalTopLevelKeys(data: StoreData): string {
  const hasPublish = data.publish !== undefined && Object.keys(data.publish).length > 0
  const hasSlugs = Object.keys(data.categorySlugs ?? {}).length > 0
  return ['version', 'sources', 'retention', ...(hasPublish ? ['publish'] : []), 'items', 'tombstones', ...(hasSlugs ? ['categorySlugs'] : [])].join(',')
}

/**
 * The data as held while the store is open, canonicalized (so a file with other key orders is
 * rewritten once in ours), plus whether the data read was already canonical. Items whose fields are
 * already in canonical order are kept as parsed rather than copied (they serialize the same).
 */
export function readStoreContents(data: StoreData): ReadStoreContents {
  const publish = toCanonicalPublishRecord(data.publish ?? {})
  let isCanonical = Object.keys(data).join(',') === canonicalTopLevelKeys(data) && JSON.stringify(publish) === JSON.stringify(data.publish ?? {})
  let isSorted = true
  let previousMs = Number.POSITIVE_INFINITY
  let previousId = ''
  const items = new Map<string, StoredItem>()
  const itemsInOrder: StoredItem[] = []
  for (const parsed of data.items) {
    let item = parsed
    if (!hasCanonicalItemKeys(parsed)) {
      isCanonical = false
      item = toCanonicalItem(parsed)
    }
    items.set(item.id, item)
    itemsInOrder.push(item)
    const publishedMs = Date.parse(item.published)
    // Newest first, then by id (sort-items.ts); the first item compares against +∞.
    if (!(previousMs > publishedMs || (previousMs === publishedMs && previousId < item.id))) isSorted = false
    previousMs = publishedMs
    previousId = item.id
  }
  if (!isSorted) isCanonical = false
  const sources = new Map<string, SourceState>()
  for (const [id, state] of Object.entries(data.sources)) {
    const canonical = toCanonicalSourceState(state)
    if (isCanonical && JSON.stringify(canonical) !== JSON.stringify(state)) isCanonical = false
    sources.set(id, canonical)
  }
  const storedSlugs = data.categorySlugs ?? {}
  const slugs = readRecord(storedSlugs)
  const categorySlugs = registerStoredCategories(slugs.map, items.values())
  const aliases = deriveAliases(itemsInOrder)
  const tombstones = readRecord(data.tombstones)
  if (isCanonical) {
    const retention = summarizeRetention(items.values(), tombstones.map)
    isCanonical =
      JSON.stringify(data.retention) === JSON.stringify(retention) &&
      slugs.isSorted &&
      categorySlugs.size === Object.keys(storedSlugs).length &&
      tombstones.isSorted &&
      readRecord(data.sources).isSorted
  }
  return {
    contents: { items, aliases, tombstones: tombstones.map, sources, categorySlugs, publish },
    isCanonical,
    sortedItems: isSorted ? itemsInOrder : undefined,
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
 * new Map(Object.entries(record)) without an array per entry (~3× faster for 300k entries), and
 * whether the keys were strictly ascending in the object's own order (integer-like keys, which
 * objects move to the front, fail this: any doubt means not canonical).
 */
function readRecord<T>(record: Record<string, T>): { map: Map<string, T>; isSorted: boolean } {
  const map = new Map<string, T>()
  let isSorted = true
  let previous: string | undefined
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) isSorted = false
    previous = key
    map.set(key, record[key] as T)
  }
  return { map, isSorted }
}

/** The canonical field order; toCanonicalItem lists every field, so this is all of them. */
const ITEM_FIELDS: readonly string[] = Object.keys(toCanonicalItem({} as StoredItem))

/** Whether the item's own keys are canonical fields in canonical order (absent ones skipped) with no undefined value. */
function hasCanonicalItemKeys(item: StoredItem): boolean {
  let field = 0
  for (const key of Object.keys(item)) {
    while (field < ITEM_FIELDS.length && ITEM_FIELDS[field] !== key) field++
    if (field === ITEM_FIELDS.length) return false
    if ((item as unknown as Record<string, unknown>)[key] === undefined) return false
    field++
  }
  return true
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

export function toStoreData(contents: StoreContents, sortedItems: readonly StoredItem[]): StoreData {
  return {
    version: STORE_VERSION,
    sources: toSortedRecord(contents.sources),
    retention: summarizeRetention(sortedItems, contents.tombstones),
    ...(Object.keys(contents.publish).length === 0 ? {} : { publish: contents.publish }),
    items: [...sortedItems],
    tombstones: toSortedRecord(contents.tombstones),
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
    enclosures: item.enclosures,
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

function toSortedRecord<T>(map: Map<string, T>): Record<string, T> {
  return Object.fromEntries([...map].sort(([a], [b]) => compareKeys(a, b)))
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * @throws StoreError E_STORE_CORRUPT (not JSON, a duplicate key, or a field that is not what
 * feedloom writes, named by its path) or E_STORE_VERSION (written by a newer feedloom)
 */
export function parseStoreData(text: string, path: string): StoreData {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not valid JSON; it was left untouched`, { cause })
  }
  if (isPlainObject(value) && typeof value.version === 'number' && value.version > STORE_VERSION) {
    throw newerVersionError(value.version, path)
  }
  const problem = findStoreDataProblem(text, value)
  if (problem !== undefined) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not a feedloom store: ${problem}; it was left untouched`)
  }
  return value as StoreData
}

/**
 * The head as store-file.ts cut it out (a JSON object of version, sources and retention), or
 * undefined when it is not one we can trust, so the caller reads the whole file instead (which
 * names what is wrong with it).
 * @throws StoreError E_STORE_VERSION (written by a newer feedloom)
 */
export function parseStoreHead(text: string, path: string): StoreHead | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isPlainObject(value) || typeof value.version !== 'number') return undefined
  if (value.version > STORE_VERSION) throw newerVersionError(value.version, path)
  const keys = Object.keys(value).join(',')
  if (keys !== 'version,sources,retention' && keys !== 'version,sources,retention,publish') return undefined
  if (findSchemaProblem(storeHeadSchema, value) !== undefined || findDuplicateKey(text, value) !== undefined) return undefined
  const head = value as unknown as StoreData & { retention: RetentionSummary }
  const sources = new Map<string, SourceState>()
  for (const [id, state] of Object.entries(head.sources)) sources.set(id, toCanonicalSourceState(state))
  return { sources, retention: head.retention, publish: toCanonicalPublishRecord(head.publish ?? {}) }
}

function newerVersionError(version: number, path: string): StoreError {
  return new StoreError('E_STORE_VERSION', `store ${path} has version ${version}; this feedloom reads version ${STORE_VERSION}`)
}

function findStoreDataProblem(text: string, value: unknown): string | undefined {
  const problem = findSchemaProblem(storeDataSchema, value)
  if (problem !== undefined) return problem
  const duplicate = findDuplicateKey(text, value)
  if (duplicate !== undefined) return `${formatStorePath(duplicate)}: the key appears twice in one object`
  const ids = new Set<string>()
  for (const [index, item] of (value as StoreData).items.entries()) {
    if (ids.has(item.id)) return `items[${index}].id: ${item.id} is a duplicate`
    ids.add(item.id)
  }
  return undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
