import { CAPS } from '../caps.js'
import type { StoredItem } from '../types.js'
import { DAY_MS } from './retention-summary.js'
import type { StoreContents } from './store-data.js'

export interface RetentionOptions {
  /** Items kept per category, newest published first. */
  maxItemsPerCategory: number
  /** Items published longer ago than this are removed. */
  maxAgeDays: number
  now: Date
}

export interface PruneResult {
  pruned: number
  /** The items removed, as they were. */
  prunedItems: StoredItem[]
  /** Categories that lost at least one item. */
  changedCategories: Set<string>
}

/**
 * Applies retention; every pruned item leaves tombstones for its key and aliases. Tombstones are
 * bounded in age and number (CAPS): a source that rotates its codes prunes hundreds of items a
 * cycle, and their tombstones must not grow the store without end.
 */
export function pruneItems(
  contents: StoreContents,
  itemsNewestFirst: readonly StoredItem[],
  options: RetentionOptions,
): PruneResult {
  const nowIso = options.now.toISOString()
  const doomed = selectItemsToPrune(itemsNewestFirst, options)
  for (const item of doomed) removeItem(contents, item, nowIso)
  dropExpiredTombstones(contents.tombstones, options.now)
  dropOldestTombstones(contents.tombstones, CAPS.maxTombstones)
  return { pruned: doomed.length, prunedItems: doomed, changedCategories: new Set(doomed.map((item) => item.category)) }
}

function selectItemsToPrune(itemsNewestFirst: readonly StoredItem[], options: RetentionOptions): StoredItem[] {
  const oldestKeptMs = options.now.getTime() - options.maxAgeDays * DAY_MS
  const keptPerCategory = new Map<string, number>()
  return itemsNewestFirst.filter((item) => {
    const kept = keptPerCategory.get(item.category) ?? 0
    if (kept >= options.maxItemsPerCategory || Date.parse(item.published) < oldestKeptMs) return true
    keptPerCategory.set(item.category, kept + 1)
    return false
  })
}

function removeItem(contents: StoreContents, item: StoredItem, nowIso: string): void {
  contents.items.delete(item.id)
  for (const identity of new Set([item.key, ...item.aliases])) {
    contents.tombstones.set(identity, nowIso)
    if (contents.aliases.get(identity) === item.id) contents.aliases.delete(identity)
  }
}

function dropExpiredTombstones(tombstones: Map<string, string>, now: Date): void {
  const oldestKeptMs = now.getTime() - CAPS.maxTombstoneAgeDays * DAY_MS
  for (const [identity, prunedAt] of tombstones) {
    if (Date.parse(prunedAt) < oldestKeptMs) tombstones.delete(identity)
  }
}

/**
 * Keeps the newest `max` tombstones; among those made at the same instant (one prune), the last
 * keys in code-unit order, so the outcome does not depend on the order they were made in. A
 * dropped tombstone only lets a source that still lists its item bring it back once, to be pruned
 * again by retention.
 */
function dropOldestTombstones(tombstones: Map<string, string>, max: number): void {
  if (tombstones.size <= max) return
  const oldestFirst = [...tombstones].sort(([keyA, atA], [keyB, atB]) => Date.parse(atA) - Date.parse(atB) || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
  for (const [identity] of oldestFirst.slice(0, tombstones.size - max)) tombstones.delete(identity)
}
