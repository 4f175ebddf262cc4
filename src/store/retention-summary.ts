import { CAPS } from '../caps.js'
import type { StoredItem } from '../types.js'
import type { RetentionOptions } from './store.js'

export const DAY_MS = 86_400_000

/**
 * What retention needs to know about the items without reading them, kept in the store file's
 * head: a cycle where no source brings anything new can tell whether pruning has work to do.
 * Derived from the items, and checked against them whenever they are read.
 */
export interface RetentionSummary {
  /** Live items in the fullest category. */
  largestCategory: number
  /** The oldest live item's `published`; absent without items. */
  oldestPublished?: string
  /** When the oldest tombstone was made; absent without tombstones. */
  oldestTombstone?: string
}

export function summarizeRetention(
  items: Iterable<Pick<StoredItem, 'published' | 'category'>>,
  tombstones: ReadonlyMap<string, string>,
): RetentionSummary {
  const perCategory = new Map<string, number>()
  let largestCategory = 0
  let oldestPublished: string | undefined
  for (const item of items) {
    const count = (perCategory.get(item.category) ?? 0) + 1
    perCategory.set(item.category, count)
    largestCategory = Math.max(largestCategory, count)
    if (oldestPublished === undefined || Date.parse(item.published) < Date.parse(oldestPublished)) oldestPublished = item.published
  }
  let oldestTombstone: string | undefined
  for (const prunedAt of tombstones.values()) {
    if (oldestTombstone === undefined || Date.parse(prunedAt) < Date.parse(oldestTombstone)) oldestTombstone = prunedAt
  }
  return {
    largestCategory,
    ...(oldestPublished === undefined ? {} : { oldestPublished }),
    ...(oldestTombstone === undefined ? {} : { oldestTombstone }),
  }
}

/** Whether pruneItems would remove an item or a tombstone; false means it would change nothing. */
export function isPruneDue(summary: RetentionSummary, options: RetentionOptions): boolean {
  const nowMs = options.now.getTime()
  return (
    summary.largestCategory > options.maxItemsPerCategory ||
    isBefore(summary.oldestPublished, nowMs - options.maxAgeDays * DAY_MS) ||
    isBefore(summary.oldestTombstone, nowMs - CAPS.maxTombstoneAgeDays * DAY_MS)
  )
}

function isBefore(instant: string | undefined, limitMs: number): boolean {
  return instant !== undefined && Date.parse(instant) < limitMs
}
