import { type EntryHead, isDropped, type NormalizeContext, normalizeEntryHead, withBodies } from '../normalize/normalize-entry.js'
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

/** What decides whether an entry's bodies need sanitizing: the store and this cycle's other sources (createBodyJudge). */
export interface BodyQuestion {
  key: string
  /** Key first, then aliases, as the store looks items up. */
  identities: string[]
  /** EntryHead.contentHash: absent when the entry has no content. */
  contentHash?: string
}

/** For each question, true when sanitizing that entry's content and summary would change nothing stored. */
export type SkipBodies = (questions: BodyQuestion[]) => Promise<boolean[]>

/**
 * Normalizes each raw entry of one answer, keeping it beside its result for later enrichment.
 * Entries `skipBodies` answers true for keep no content or summary: sanitizing is most of
 * normalize's cost, and a known item's unchanged body, or a copy of an item another source
 * publishes, would not change what is stored. `reasons` says what a cap changed
 * (capCategories), for the source's `degraded`.
 */
export async function normalizeEntries(
  raws: readonly RawEntry[],
  context: NormalizeContext,
  skipBodies: SkipBodies = async (questions) => questions.map(() => false),
): Promise<{ pairs: NormalizedPair[]; dropped: DroppedEntry[]; reasons: string[] }> {
  const heads: { raw: RawEntry; head: EntryHead }[] = []
  const dropped: DroppedEntry[] = []
  for (const raw of raws) {
    const head = normalizeEntryHead(raw, context)
    if (isDropped(head)) dropped.push(head)
    else heads.push({ raw, head })
  }
  const skips = heads.length === 0 ? [] : await skipBodies(heads.map(({ head }) => toQuestion(head)))
  const pairs = heads.map(({ raw, head }, index): NormalizedPair => ({ raw, entry: skips[index] === true ? head.entry : withBodies(head, raw) }))
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

function toQuestion({ entry, contentHash }: EntryHead): BodyQuestion {
  const identities = [...new Set([entry.key, ...entry.aliases])]
  return contentHash === undefined ? { key: entry.key, identities } : { key: entry.key, identities, contentHash }
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
