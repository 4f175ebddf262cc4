import { basename, dirname, join } from 'node:path'
import { StoreError } from '../../errors.js'
import { toSummaryText } from '../../text/to-summary-text.js'
import type { PublishRecord, SourceState, StoredItem } from '../../types.js'
import { findDuplicateKey } from '../find-duplicate-key.js'
import type { RetentionSummary } from '../retention-summary.js'
import { findSchemaProblem, formatStorePath, indexHeadSchema } from '../store-schema.js'

/** The version of the segmented layout; version 1 was the single file (migrate-single-file.ts). */
export const LAYOUT_VERSION = 2

/**
 * `store.path` (db.json): the index head, rewritten whole by every commit that changes anything.
 * It names, for each segment, the generation of its two files; a commit writes new generations
 * first and switches them in by replacing this one file, so a reader never sees half a commit.
 */
export interface IndexHead {
  version: typeof LAYOUT_VERSION
  /** Bumped by every commit; new segment files are named after it. */
  generation: number
  sources: Record<string, SourceState>
  retention: RetentionSummary
  /** Absent while empty. */
  publish?: PublishRecord
  /** ItemFilter.fingerprint the verdicts and membership lists in the index files were computed with. */
  filter: string
  /** Slug → media name (claim-category-slug.ts); absent while empty. */
  categorySlugs?: Record<string, string>
  /** Generation of the tombstones file; absent while there are none. */
  tombstones?: number
  /** Segment (UTC hour of `published`, `2022-01-11T05`) → its files' generations and item count. Keys sorted. */
  segments: Record<string, SegmentRef>
}

export interface SegmentRef {
  /** Generation of `index-<segment>.g<n>.json`: the items without bodies. */
  index: number
  /** Generation of `items-<segment>.g<n>.json`: the items whole. */
  items: number
  count: number
}

/** One item in an index file: all that lookups, ordering, counts and filters need, no bodies. */
export interface IndexEntry {
  id: string
  key: string
  /** Every identity the item is known by (its key first). */
  aliases: string[]
  published: string
  /** Its own category: retention counts per this one. */
  category: string
  /** Every category it is published in (ItemFilter.categoriesOf under the head's fingerprint), its own first. */
  memberOf: string[]
  categoryTitle?: string
  /** Whether the filter with the head's fingerprint publishes it. */
  pass: boolean
  /**
   * What the body judge and an upsert that changes nothing need of the body (ItemFacts), so that
   * they read no items file. Absent in entries an earlier feedloom wrote: their segment's bodies
   * are read once, and its index file written with them at the next commit.
   */
  title?: string
  sources?: string[]
  contentHash?: string
  /** Whether its content has any text but white space. */
  hasContent?: boolean
  /**
   * What a category page shows besides the title (PageItem), so that pages read no items file
   * either; absent, as the facts above, in entries an earlier feedloom wrote. `text` is the
   * summary text, or false when it is longer than PAGE_TEXT_MAX_LENGTH: that item's page reads
   * its body, so that a long summary does not weigh on every read of the index.
   */
  link?: string
  author?: string
  media?: string
  text?: string | false
}

/**
 * In UTF-16 units: the excerpt of a content (200 code points) always fits, and so does a summary
 * of a few sentences.
 */
export const PAGE_TEXT_MAX_LENGTH = 500

/** An index entry that carries the facts of its body. */
export type FactualEntry = IndexEntry & Required<Pick<IndexEntry, 'title' | 'sources' | 'hasContent' | 'text'>>

export function hasFacts(entry: IndexEntry): entry is FactualEntry {
  return entry.title !== undefined && entry.sources !== undefined && entry.hasContent !== undefined && entry.text !== undefined
}

/** The body facts of an index entry, from its item. */
export function factsOf(item: StoredItem): Pick<FactualEntry, 'title' | 'sources' | 'contentHash' | 'hasContent' | 'link' | 'author' | 'media' | 'text'> {
  const text = toSummaryText(item)
  return {
    title: item.title,
    sources: item.sources,
    ...(item.contentHash === undefined ? {} : { contentHash: item.contentHash }),
    hasContent: item.content !== undefined && item.content.trim() !== '',
    ...(item.link === undefined ? {} : { link: item.link }),
    ...(item.author === undefined ? {} : { author: item.author }),
    ...(item.media === undefined ? {} : { media: item.media }),
    text: text.length <= PAGE_TEXT_MAX_LENGTH ? text : false,
  }
}

/** Where every file of the store at `path` lives. */
export interface StoreLayout {
  head: string
  backup: string
  /** The single-file store as it was before conversion. */
  singleFile: string
  segmentsDir: string
  indexFile(segment: string, generation: number): string
  itemsFile(segment: string, generation: number): string
  tombstonesFile(generation: number): string
}

export function describeLayout(path: string): StoreLayout {
  const segmentsDir = join(dirname(path), `${basename(path).replace(/\.json$/, '')}.segments`)
  return {
    head: path,
    backup: `${path}.bak`,
    singleFile: `${path}.v1`,
    segmentsDir,
    indexFile: (segment, generation) => join(segmentsDir, `index-${segment}.g${generation}.json`),
    itemsFile: (segment, generation) => join(segmentsDir, `items-${segment}.g${generation}.json`),
    tombstonesFile: (generation) => join(segmentsDir, `tombstones.g${generation}.json`),
  }
}

/** Every file name in the segments folder that `head` refers to. */
export function listReferencedFiles(layout: StoreLayout, head: IndexHead): Set<string> {
  const names = new Set<string>()
  for (const [segment, ref] of Object.entries(head.segments)) {
    names.add(basename(layout.indexFile(segment, ref.index)))
    names.add(basename(layout.itemsFile(segment, ref.items)))
  }
  if (head.tombstones !== undefined) names.add(basename(layout.tombstonesFile(head.tombstones)))
  return names
}

/** The segment an item lives in, for good: `published` never changes. */
export function segmentOf(published: string): string {
  return new Date(published).toISOString().slice(0, 13)
}

/** @throws StoreError E_STORE_CORRUPT when `value` (parsed from `text`) is not a head this version can trust */
export function checkIndexHead(text: string, value: unknown, path: string): IndexHead {
  const schemaProblem = findSchemaProblem(indexHeadSchema, value)
  const duplicate = schemaProblem === undefined ? findDuplicateKey(text, value) : undefined
  const problem = schemaProblem ?? (duplicate === undefined ? undefined : `${formatStorePath(duplicate)}: the key appears twice in one object`)
  if (problem !== undefined) throw new StoreError('E_STORE_CORRUPT', `store ${path} is not a feedloom store index: ${problem}; it was left untouched`)
  return value as IndexHead
}
