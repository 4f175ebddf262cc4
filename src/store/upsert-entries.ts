import type { NormalizedEntry, StoredItem } from '../types.js'
import { claimCategorySlug } from './claim-category-slug.js'
import { mintItemId } from './mint-item-id.js'
import { type StoreContents, toCanonicalItem } from './canonical-form.js'
import type { UpsertResult } from './store.js'

/**
 * What upsert works on: the items the batch can touch (every item any entry's identity maps to),
 * the identity map and tombstones, and the category slug registry. Changed and new items are
 * set into `items` as new objects, never mutated, so a backend finds them by comparing objects.
 */
export type UpsertContents = Pick<StoreContents, 'items' | 'aliases' | 'tombstones' | 'categorySlugs'>

type ContentChanges = Partial<Pick<StoredItem, 'title' | 'content'>>

/**
 * Adds or merges entries into `contents` (docs/architecture.md, "Identity and merging"). Items
 * are replaced, never mutated, so arrays handed out earlier keep their values. `categoriesOf`
 * gives the categories an item is published in, which changedCategories lists.
 *
 * With `sourceOrder` (the config's source ids, in order), an item carried by several sources is
 * described by the one listed first, whichever stored it first: workers store sources in any
 * order, and must end where one cycle, which upserts in config order, would.
 */
export function upsertEntries(
  contents: UpsertContents,
  entries: readonly NormalizedEntry[],
  now: Date,
  categoriesOf: (item: StoredItem) => string[],
  sourceOrder?: readonly string[],
): UpsertResult {
  const rankOf = sourceOrder === undefined ? undefined : createRanker(sourceOrder)
  const movedCategories = new Set<string>()
  const nowIso = now.toISOString()
  const addedIds = new Set<string>()
  const updatedIds = new Set<string>()
  const mergedIds = new Set<string>()
  let merged = 0
  let unchanged = 0
  let skippedTombstoned = 0
  // An item added earlier in this call, or by an earlier call at the same instant (a cycle upserts
  // source by source, all at its start time), has not been published yet: it is not "updated".
  const isUnpublished = (item: StoredItem): boolean => addedIds.has(item.id) || item.firstSeen === nowIso
  for (const entry of entries) {
    const identities = listIdentities(entry)
    const existing = findItem(contents, identities)
    if (existing === undefined) {
      if (identities.some((identity) => contents.tombstones.has(identity))) skippedTombstoned++
      else addedIds.add(addItem(contents, entry, identities, nowIso).id)
      continue
    }
    const isNewSource = !existing.sources.includes(entry.sourceId)
    if (rankOf !== undefined && isNewSource && rankOf(entry.sourceId) < rankOf(existing.sources[0] ?? '')) {
      const taken = takeOver(contents, existing, entry, identities, rankOf, isUnpublished(existing) ? undefined : nowIso)
      if (taken.isUpdate) updatedIds.add(existing.id)
      for (const category of categoriesOf(existing)) movedCategories.add(category)
      merged++
      mergedIds.add(existing.id)
      continue
    }
    const changes = findContentChanges(existing, entry)
    const hasContentChanges = Object.keys(changes).length > 0
    const isUpdate = hasContentChanges && !isUnpublished(existing)
    // The hash goes with the content it describes, so a later entry with the same one can skip sanitizing.
    const hash = changes.content === undefined ? {} : { contentHash: entry.contentHash }
    replaceItem(contents, existing, entry, identities, { ...changes, ...hash, ...(isUpdate ? { updated: nowIso } : {}) }, rankOf)
    if (isUpdate) updatedIds.add(existing.id)
    if (isNewSource) {
      merged++
      mergedIds.add(existing.id)
    }
    if (!isNewSource && !hasContentChanges) unchanged++
  }
  const added = getItems(contents, addedIds)
  const updated = getItems(contents, updatedIds)
  const changedCategories = new Set([...[...added, ...updated].flatMap(categoriesOf), ...movedCategories])
  return { added, updated, merged, mergedItems: getItems(contents, mergedIds), unchanged, skippedTombstoned, changedCategories }
}

export function listIdentities(entry: NormalizedEntry): string[] {
  return [...new Set([entry.key, ...entry.aliases])].filter((identity) => identity !== '')
}

/** By key first, then by each alias, in the given order. */
export function findItem(contents: UpsertContents, identities: readonly string[]): StoredItem | undefined {
  for (const identity of identities) {
    const id = contents.aliases.get(identity)
    const item = id === undefined ? undefined : contents.items.get(id)
    if (item !== undefined) return item
  }
  return undefined
}

function addItem(contents: UpsertContents, entry: NormalizedEntry, identities: string[], nowIso: string): StoredItem {
  const item = toCanonicalItem({
    id: mintItemId(entry.key),
    key: entry.key,
    aliases: identities,
    sources: [entry.sourceId],
    title: entry.title,
    link: entry.link,
    content: entry.content,
    summary: entry.summary,
    contentHash: entry.content === undefined ? undefined : entry.contentHash,
    author: entry.author,
    enclosures: entry.enclosures,
    published: choosePublished(entry, nowIso),
    firstSeen: nowIso,
    ...placementOf(contents, entry),
  })
  contents.items.set(item.id, item)
  for (const identity of identities) contents.aliases.set(identity, item.id)
  return item
}

/**
 * A category made from a media name (normalize sets `categoryTitle` only then) is claimed in the
 * store's registry, so two outlets whose names share a pinyin spelling stay apart. Entries are
 * upserted in config source order, so which one keeps the plain slug does not depend on timing.
 */
/** Where the describing entry puts an item: its category and the fields it is filed and shared by. */
function placementOf(contents: UpsertContents, entry: NormalizedEntry) {
  return {
    category: categoryOf(contents, entry),
    categoryTitle: entry.categoryTitle,
    categories: [...entry.categories],
    infoCode: entry.infoCode,
    media: entry.media,
    shareLink: entry.shareLink,
  }
}

function categoryOf(contents: UpsertContents, entry: NormalizedEntry): string {
  if (entry.categoryTitle === undefined) return entry.category
  return claimCategorySlug(contents.categorySlugs, entry.category, entry.categoryTitle)
}

/** An item without a date keeps its first-seen time forever. */
export function choosePublished(entry: NormalizedEntry, nowIso: string): string {
  const isValid = entry.published !== undefined && !Number.isNaN(Date.parse(entry.published))
  return isValid ? (entry.published as string) : nowIso
}

/**
 * Only the item's first source may change its title or content, so two sources that word an
 * item differently do not flip it back and forth every cycle. Any source may fill in content
 * the item lacks.
 */
function findContentChanges(item: StoredItem, entry: NormalizedEntry): ContentChanges {
  const isFirstSource = entry.sourceId === item.sources[0]
  const changes: ContentChanges = {}
  if (isFirstSource && entry.title !== '' && entry.title !== item.title) changes.title = entry.title
  const canSetContent = isFirstSource || !hasText(item.content)
  if (canSetContent && hasText(entry.content) && entry.content !== item.content) changes.content = entry.content
  return changes
}

function hasText(value: string | undefined): value is string {
  return value !== undefined && value !== ''
}

/** Records the entry's new identities and source on the item; id, firstSeen and published stay. */
function replaceItem(
  contents: UpsertContents,
  item: StoredItem,
  entry: NormalizedEntry,
  identities: readonly string[],
  changes: Partial<StoredItem>,
  rankOf: ((sourceId: string) => number) | undefined,
): void {
  // An identity already claimed by another item stays with it, so ids never move.
  const newIdentities = identities.filter((identity) => !contents.aliases.has(identity))
  for (const identity of newIdentities) contents.aliases.set(identity, item.id)
  const isNewSource = !item.sources.includes(entry.sourceId)
  if (newIdentities.length === 0 && !isNewSource && Object.keys(changes).length === 0) return
  const sources = isNewSource ? addSource(item.sources, entry.sourceId, rankOf) : item.sources
  contents.items.set(
    item.id,
    toCanonicalItem({ ...item, ...changes, aliases: [...item.aliases, ...newIdentities], sources }),
  )
}

/**
 * The item as if `entry`'s source, listed before every source that carried it so far, had stored
 * it first: that source's title, link, dates, category and the rest, with the item's id and
 * first-seen time kept, and content the new source lacks kept too (any source may fill it in).
 * A changed title or content of an item already published counts as an update.
 */
function takeOver(
  contents: UpsertContents,
  item: StoredItem,
  entry: NormalizedEntry,
  identities: readonly string[],
  rankOf: (sourceId: string) => number,
  updatedIso: string | undefined,
): { isUpdate: boolean } {
  const newIdentities = identities.filter((identity) => !contents.aliases.has(identity))
  for (const identity of newIdentities) contents.aliases.set(identity, item.id)
  const title = entry.title === '' ? item.title : entry.title
  const content = hasText(entry.content) ? entry.content : item.content
  const isUpdate = updatedIso !== undefined && (title !== item.title || content !== item.content)
  contents.items.set(
    item.id,
    toCanonicalItem({
      id: item.id,
      key: item.key,
      aliases: [...item.aliases, ...newIdentities],
      sources: addSource(item.sources, entry.sourceId, rankOf),
      title,
      link: entry.link,
      content,
      contentHash: hasText(entry.content) ? entry.contentHash : item.contentHash,
      summary: entry.summary,
      author: entry.author,
      enclosures: entry.enclosures,
      published: choosePublished(entry, item.published),
      ...(isUpdate ? { updated: updatedIso } : item.updated === undefined ? {} : { updated: item.updated }),
      firstSeen: item.firstSeen,
      ...placementOf(contents, entry),
    }),
  )
  return { isUpdate }
}

/** The item's sources with one more: in config order when known, else in the order they came. */
function addSource(sources: readonly string[], sourceId: string, rankOf: ((sourceId: string) => number) | undefined): string[] {
  const all = [...sources, sourceId]
  return rankOf === undefined ? all : all.sort((a, b) => rankOf(a) - rankOf(b))
}

/** A source no longer in the config ranks after every configured one. */
function createRanker(sourceOrder: readonly string[]): (sourceId: string) => number {
  const ranks = new Map(sourceOrder.map((id, index) => [id, index]))
  return (sourceId) => ranks.get(sourceId) ?? Number.MAX_SAFE_INTEGER
}

function getItems(contents: UpsertContents, ids: Set<string>): StoredItem[] {
  return [...ids].flatMap((id) => contents.items.get(id) ?? [])
}
