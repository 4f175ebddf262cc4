import { CAPS } from '../caps.js'
import type { StoredItem } from '../types.js'
import { DAY_MS } from './retention-summary.js'
import type { RetentionOptions } from './store.js'

/** The items retention removes, from all live items newest first: past maxAgeDays, or past maxItemsPerCategory in their category. */
export function selectItemsToPrune<T extends Pick<StoredItem, 'published' | 'category'>>(itemsNewestFirst: readonly T[], options: RetentionOptions): T[] {
  const oldestKeptMs = options.now.getTime() - options.maxAgeDays * DAY_MS
  const keptPerCategory = new Map<string, number>()
  return itemsNewestFirst.filter((item) => {
    const kept = keptPerCategory.get(item.category) ?? 0
    if (kept >= options.maxItemsPerCategory || Date.parse(item.published) < oldestKeptMs) return true
    keptPerCategory.set(item.category, kept + 1)
    return false
  })
}

/** Every identity a pruned item leaves a tombstone for. */
export function listTombstoneIdentities(item: Pick<StoredItem, 'key' | 'aliases'>): string[] {
  return [...new Set([item.key, ...item.aliases])]
}

/**
 * Bounds tombstones in age and number (CAPS): a source that rotates its codes prunes hundreds of
 * items a cycle, and their tombstones must not grow the store without end.
 * @returns whether any went
 */
export function boundTombstones(tombstones: Map<string, string>, now: Date): boolean {
  const before = tombstones.size
  dropExpiredTombstones(tombstones, now)
  dropOldestTombstones(tombstones, CAPS.maxTombstones)
  return tombstones.size !== before
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
