import { isDropped, type NormalizeContext, normalizeEntry } from '../normalize/normalize-entry.js'
import type { DroppedEntry, RawEntry } from '../types.js'
import type { NormalizedPair } from './fill-missing-content.js'

/** Normalizes each raw entry, keeping it beside its result for later enrichment. */
export function normalizeEntries(
  raws: readonly RawEntry[],
  context: NormalizeContext,
): { pairs: NormalizedPair[]; dropped: DroppedEntry[] } {
  const pairs: NormalizedPair[] = []
  const dropped: DroppedEntry[] = []
  for (const raw of raws) {
    const result = normalizeEntry(raw, context)
    if (isDropped(result)) dropped.push(result)
    else pairs.push({ raw, entry: result })
  }
  return { pairs, dropped }
}
