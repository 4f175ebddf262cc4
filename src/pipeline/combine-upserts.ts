import type { UpsertResult } from '../store/store.js'
import type { StoredItem } from '../types.js'

/**
 * A cycle's upserts, made source by source, as if they were one: counts added up, and each item
 * listed once, as the last upsert that listed it left it.
 */
export function combineUpserts(upserts: readonly UpsertResult[]): UpsertResult {
  const latest = new Map<string, StoredItem>()
  for (const upsert of upserts) for (const item of [...upsert.added, ...upsert.updated, ...upsert.mergedItems]) latest.set(item.id, item)
  const listOnce = (items: StoredItem[]): StoredItem[] => [...new Set(items.map((item) => item.id))].map((id) => latest.get(id) as StoredItem)
  const sum = (count: (upsert: UpsertResult) => number): number => upserts.reduce((total, upsert) => total + count(upsert), 0)
  return {
    added: listOnce(upserts.flatMap((upsert) => upsert.added)),
    updated: listOnce(upserts.flatMap((upsert) => upsert.updated)),
    merged: sum((upsert) => upsert.merged),
    mergedItems: listOnce(upserts.flatMap((upsert) => upsert.mergedItems)),
    unchanged: sum((upsert) => upsert.unchanged),
    skippedTombstoned: sum((upsert) => upsert.skippedTombstoned),
    changedCategories: new Set(upserts.flatMap((upsert) => [...upsert.changedCategories])),
  }
}
