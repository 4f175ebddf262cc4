import { isDropped, type NormalizeContext, normalizeEntry } from '../normalize/normalize-entry.js'
import type { SourceConfig } from '../config/config-schema.js'
import type { DroppedEntry, RawEntry } from '../types.js'
import { capCategories } from './cap-categories.js'
import type { NormalizedPair } from './fill-missing-content.js'

/** What normalize needs to know about a source's answer, whatever its kind. */
export function sourceContext(source: SourceConfig, siteTimezone: string, answerUrl: string, now: Date): NormalizeContext {
  return {
    sourceId: source.id,
    feedUrl: answerUrl,
    feedTitle: source.title,
    category: source.category,
    timezone: source.timezone ?? siteTimezone,
    now,
  }
}

/**
 * Normalizes each raw entry of one answer, keeping it beside its result for later enrichment.
 * `reasons` says what a cap changed (capCategories), for the source's `degraded`.
 */
export function normalizeEntries(
  raws: readonly RawEntry[],
  context: NormalizeContext,
): { pairs: NormalizedPair[]; dropped: DroppedEntry[]; reasons: string[] } {
  const pairs: NormalizedPair[] = []
  const dropped: DroppedEntry[] = []
  for (const raw of raws) {
    const result = normalizeEntry(raw, context)
    if (isDropped(result)) dropped.push(result)
    else pairs.push({ raw, entry: result })
  }
  const { entries, reasons } = capCategories(
    pairs.map((pair) => pair.entry),
    context.sourceId,
  )
  const capped = pairs.map((pair, index) => {
    const entry = entries[index] ?? pair.entry
    return entry === pair.entry ? pair : { ...pair, entry }
  })
  return { pairs: dropSharedAliases(capped), dropped, reasons }
}

/**
 * An alias that entries with different keys share in one answer (a feed giving every item the
 * same guid or link) tells none of them apart: matched on it, they would merge into one item.
 */
function dropSharedAliases(pairs: NormalizedPair[]): NormalizedPair[] {
  const keysByAlias = new Map<string, Set<string>>()
  for (const { entry } of pairs) {
    for (const alias of entry.aliases) {
      const keys = keysByAlias.get(alias) ?? new Set<string>()
      keys.add(entry.key)
      keysByAlias.set(alias, keys)
    }
  }
  return pairs.map((pair) => {
    const aliases = pair.entry.aliases.filter((alias) => (keysByAlias.get(alias)?.size ?? 0) < 2)
    return aliases.length === pair.entry.aliases.length ? pair : { ...pair, entry: { ...pair.entry, aliases } }
  })
}
