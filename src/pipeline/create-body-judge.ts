import type { SourceConfig } from '../config/config-schema.js'
import type { NormalizedEntry } from '../types.js'
import type { BodyQuestion, SkipBodies } from './normalize-entries.js'
import type { EntryFacts } from '../store/open-store.js'
import type { KnownItems } from './known-items.js'

/** Decides, for a cycle, which entries' bodies need no sanitizing because nothing stored would change. */
export interface BodyJudge {
  /** The skipBodies of one source's answers. */
  skipBodiesOf(source: SourceConfig): SkipBodies
  /** A source's entries once it is done: copies of them that later sources in the config carry skip their bodies. */
  remember(sourceId: string, entries: readonly NormalizedEntry[]): void
}

/**
 * Upsert (store/upsert-entries.ts) reads an entry's content only when the entry makes a new item,
 * or comes from the item's first source, or the item has no content yet; it reads the summary
 * only for a new item. So an entry's bodies can go unsanitized when:
 * - the item its key names is stored, and the entry has no content, or the item has content and
 *   the entry is a copy from another source than the item's first, or has that content's hash;
 * - nothing stored knows any of its identities, but a source before it in the config (whose
 *   entries upsert first) gave an entry with its key this cycle that nothing stored knew either,
 *   with content, or the entry has none. Not for sources that fetch missing content (`fullText`,
 *   `detail`): an entry without content would fetch it.
 */
export function createBodyJudge(known: KnownItems, sources: readonly SourceConfig[]): BodyJudge {
  const order = new Map(sources.map((source, index) => [source.id, index]))
  /** Keys each source asked about that nothing stored knew: its entries with them make new items. */
  const freshBySource = new Map<string, Set<string>>()
  /** By key: the first source (in config order) whose entry makes its item this cycle, and the first whose entry has content. */
  const makers = new Map<string, { first: number; withContent: number }>()

  const judge = (question: BodyQuestion, facts: EntryFacts, sourceId: string, fetchesContent: boolean): boolean => {
    if (facts.stored) {
      if (question.contentHash === undefined) return true
      return facts.hasContent && (facts.firstSource !== sourceId || facts.contentHash === question.contentHash)
    }
    if (facts.known) return false
    const fresh = freshBySource.get(sourceId) ?? new Set<string>()
    freshBySource.set(sourceId, fresh.add(question.key))
    const at = order.get(sourceId)
    const maker = makers.get(question.key)
    if (fetchesContent || at === undefined || maker === undefined || maker.first >= at) return false
    return question.contentHash === undefined || maker.withContent < at
  }

  return {
    skipBodiesOf(source) {
      const fetchesContent = (source.type === 'feed' && source.fullText) || (source.type === 'json' && source.detail !== undefined)
      return async (questions) => {
        let facts: EntryFacts[]
        try {
          // One question for the whole answer: the store answers from its index, not entry by entry.
          facts = await known.describeEntries(questions)
        } catch {
          // Skipping is only a saving: a store that cannot answer (a damaged segment) gets every
          // body sanitized, and the upsert that reads the same files fails the cycle with its code.
          return questions.map(() => false)
        }
        return questions.map((question, index) => {
          const answer = facts[index]
          return answer !== undefined && judge(question, answer, source.id, fetchesContent)
        })
      }
    },
    remember(sourceId, entries) {
      const at = order.get(sourceId)
      const fresh = freshBySource.get(sourceId)
      if (at === undefined || fresh === undefined) return
      for (const entry of entries) {
        if (!fresh.has(entry.key)) continue
        const maker = makers.get(entry.key) ?? { first: Number.POSITIVE_INFINITY, withContent: Number.POSITIVE_INFINITY }
        const hasContent = entry.content !== undefined && entry.content !== ''
        makers.set(entry.key, { first: Math.min(maker.first, at), withContent: hasContent ? Math.min(maker.withContent, at) : maker.withContent })
      }
    },
  }
}
